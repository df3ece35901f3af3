import { render } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { documentTitle, useDocumentTitle } from "./useDocumentTitle";

function Page({ title }: { title?: string | null }) {
  useDocumentTitle(title);
  return null;
}

afterEach(() => {
  document.title = "OmniCRM";
});

describe("useDocumentTitle", () => {
  it("formats the page's name before the app's", () => {
    expect(documentTitle("Customers")).toBe("Customers · OmniCRM");
    expect(documentTitle("  ")).toBe("OmniCRM");
    expect(documentTitle(null)).toBe("OmniCRM");
  });

  it("sets the tab title, follows changes and puts back OmniCRM on leaving", () => {
    const { rerender, unmount } = render(<Page title="Customer #12" />);
    expect(document.title).toBe("Customer #12 · OmniCRM");

    rerender(<Page title="Customer Jane Doe" />);
    expect(document.title).toBe("Customer Jane Doe · OmniCRM");

    rerender(<Page title={undefined} />);
    expect(document.title).toBe("OmniCRM");

    rerender(<Page title="Import #12" />);
    unmount();
    expect(document.title).toBe("OmniCRM");
  });

  it("lets the next page's title win over the previous page's cleanup", () => {
    const { rerender } = render(<Page key="a" title="Customers" />);
    rerender(<Page key="b" title="Products" />);
    expect(document.title).toBe("Products · OmniCRM");
  });
});
