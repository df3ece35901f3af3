import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { useState } from "react";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { useSession } from "@/api";
import { product } from "@/test/catalog";
import { login } from "@/test/fixtures";
import { json, stubFetch, type StubFetch } from "@/test/http";
import { renderRoutes } from "@/test/render";
import { ProductSelect } from "./ProductSelect";

let fetch: StubFetch;
const picked = vi.fn<(id: number | null) => void>();

beforeEach(() => {
  useSession.getState().signIn(login({ permissions: ["product.read"] }));
  fetch = stubFetch();
  vi.stubGlobal("fetch", fetch);
  picked.mockReset();
  fetch.on("GET /crm/product/4", () => json(product({ product_id: 4, product_name: "Fibre 100" })));
  fetch.on("GET /crm/product/", (request) => {
    const q = new URL(request.url).searchParams.get("q");
    const all = [
      product({ product_id: 3, product_name: "Mobile 20" }),
      product({ product_id: 4, product_name: "Fibre 100" }),
    ];
    return json(q ? all.filter((p) => p.product_name.toLowerCase().includes(q.toLowerCase())) : all);
  });
  return () => vi.unstubAllGlobals();
});

function Harness({ initial }: { initial: number | null }) {
  const [value, setValue] = useState<number | null>(initial);
  return (
    <ProductSelect
      value={value}
      onChange={(id) => {
        picked(id);
        setValue(id);
      }}
      testId="product-select"
    />
  );
}

describe("ProductSelect", () => {
  it("shows the chosen product by name, not by id", async () => {
    renderRoutes(<Harness initial={4} />);
    await waitFor(() => expect(screen.getByTestId("product-select")).toHaveValue("Fibre 100"));
    // Nothing is listed until the picker is opened.
    expect(fetch.callsTo("GET /crm/product/")).toHaveLength(0);
  });

  it("searches the API as you type and picks by name", async () => {
    renderRoutes(<Harness initial={null} />);
    const user = userEvent.setup();
    await user.click(screen.getByTestId("product-select"));
    await user.type(screen.getByTestId("product-select"), "mob");
    await waitFor(() =>
      expect(fetch.callsTo("GET /crm/product/").some((r) => new URL(r.url).searchParams.get("q") === "mob")).toBe(true),
    );
    await user.click(await screen.findByRole("option", { name: "Mobile 20", hidden: true }));
    expect(picked).toHaveBeenLastCalledWith(3);
  });
});
