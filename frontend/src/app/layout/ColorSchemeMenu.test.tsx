import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { renderRoutes } from "@/test/render";
import { COLOR_SCHEME_STORAGE_KEY } from "../providers";
import { ColorSchemeMenu } from "./ColorSchemeMenu";

const scheme = () => document.documentElement.getAttribute("data-mantine-color-scheme");

async function choose(value: "light" | "dark" | "auto") {
  const user = userEvent.setup();
  await user.click(screen.getByTestId("color-scheme-toggle"));
  await user.click(await screen.findByTestId(`color-scheme-${value}`));
}

describe("ColorSchemeMenu", () => {
  it("follows the OS by default (auto; jsdom reports light)", () => {
    renderRoutes(<ColorSchemeMenu />);
    expect(screen.getByTestId("color-scheme-toggle")).toHaveAttribute("data-scheme", "auto");
    expect(scheme()).toBe("light");
  });

  it("forces dark on the whole document and keeps the choice in localStorage", async () => {
    renderRoutes(<ColorSchemeMenu />);
    await choose("dark");

    await waitFor(() => expect(scheme()).toBe("dark"));
    expect(screen.getByTestId("color-scheme-toggle")).toHaveAttribute("data-scheme", "dark");
    expect(localStorage.getItem(COLOR_SCHEME_STORAGE_KEY)).toBe("dark");

    await choose("light");
    await waitFor(() => expect(scheme()).toBe("light"));
    expect(localStorage.getItem(COLOR_SCHEME_STORAGE_KEY)).toBe("light");

    await choose("auto");
    await waitFor(() => expect(screen.getByTestId("color-scheme-toggle")).toHaveAttribute("data-scheme", "auto"));
    expect(localStorage.getItem(COLOR_SCHEME_STORAGE_KEY)).toBe("auto");
  });

  it("starts from the stored choice on the next visit", async () => {
    localStorage.setItem(COLOR_SCHEME_STORAGE_KEY, "dark");
    renderRoutes(<ColorSchemeMenu />);
    await waitFor(() => expect(scheme()).toBe("dark"));
    expect(screen.getByTestId("color-scheme-toggle")).toHaveAttribute("data-scheme", "dark");
  });
});
