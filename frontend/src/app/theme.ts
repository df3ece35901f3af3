import { createTheme, ScrollArea, type CSSVariablesResolver } from "@mantine/core";

/**
 * Contrast (WCAG 2.1 AA, checked by axe in the browser tests): in light mode the primary and
 * every colour's "light" variant use shade 9, so blue text on a pale blue tint and white on a
 * filled button both reach 4.5:1 (shade 6, Mantine's default, gives 3.2:1); dimmed text is
 * gray 7 on light and dark 1 on dark for the same reason.
 */
export const theme = createTheme({
  primaryColor: "blue",
  primaryShade: { light: 9, dark: 8 },
  defaultRadius: "md",
  fontFamily: "Inter, system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
  headings: { fontWeight: "650" },
  components: {
    // A region that scrolls (a wide table on a phone) must be reachable by keyboard.
    ScrollArea: ScrollArea.extend({ defaultProps: { viewportProps: { tabIndex: 0 } } }),
  },
});

/** Shade 9 of these is still under 4.5:1 against their own tint, or under white: darker. */
const DARKER_IN_LIGHT: Record<string, string> = {
  green: "#206830",
  teal: "#066649",
  lime: "#3d6309",
  cyan: "#095b6a",
  yellow: "#8a4700",
  orange: "#a33609",
  red: "#a61e1e",
};

export const cssVariablesResolver: CSSVariablesResolver = () => ({
  variables: {},
  light: {
    "--mantine-color-dimmed": "var(--mantine-color-gray-7)",
    ...Object.fromEntries(
      Object.entries(DARKER_IN_LIGHT).flatMap(([color, hex]) => [
        [`--mantine-color-${color}-light-color`, hex],
        [`--mantine-color-${color}-filled`, hex],
        [`--mantine-color-${color}-text`, hex],
      ]),
    ),
  },
  dark: {
    "--mantine-color-dimmed": "var(--mantine-color-dark-1)",
    // White on these filled shades is under 4.5:1 too.
    ...Object.fromEntries(
      Object.entries(DARKER_IN_LIGHT).map(([color, hex]) => [`--mantine-color-${color}-filled`, hex]),
    ),
  },
});
