import "@testing-library/jest-dom/vitest";
import { cleanup, configure } from "@testing-library/react";
import { afterEach, vi } from "vitest";

// Stripe.js is never loaded in tests (it would fetch js.stripe.com): every test file gets the
// stand-in, whose `fakeStripe` a test sets up (see ./stripe.tsx).
vi.mock("@stripe/stripe-js", () => import("./stripe"));
vi.mock("@stripe/stripe-js/pure", () => import("./stripe"));
vi.mock("@stripe/react-stripe-js", () => import("./stripe"));

// findBy*/waitFor give up after 1 s by default: too short for a busy 2-CPU machine.
configure({ asyncUtilTimeout: 10_000 });

afterEach(() => {
  cleanup();
  localStorage.clear();
});

// Mantine relies on these browser APIs that jsdom lacks.
if (!window.matchMedia) {
  window.matchMedia = (query: string) =>
    ({
      matches: false,
      media: query,
      onchange: null,
      addListener: () => {},
      removeListener: () => {},
      addEventListener: () => {},
      removeEventListener: () => {},
      dispatchEvent: () => false,
    }) as MediaQueryList;
}

class ResizeObserverStub {
  observe() {}
  unobserve() {}
  disconnect() {}
}
globalThis.ResizeObserver ??= ResizeObserverStub as unknown as typeof ResizeObserver;

Element.prototype.scrollIntoView ??= () => {};
