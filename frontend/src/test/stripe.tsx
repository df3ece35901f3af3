/**
 * A stand-in for Stripe.js in tests: `@stripe/stripe-js/pure` and `@stripe/react-stripe-js`
 * are mocked with this module for every test file (src/test/setup.ts), so no test ever loads
 * js.stripe.com. `fakeStripe` is what `loadStripe`, `useStripe` and `<Elements>` give; set what
 * its methods answer per test (`fakeStripe.confirmCardSetup.mockResolvedValue(...)`).
 */
import type { ReactNode } from "react";
import { vi } from "vitest";

/** What `elements.getElement(CardElement)` returns: the card field Stripe.js would have mounted. */
export const fakeCardElement = { element: "card" };

export const fakeStripe = {
  confirmCardSetup: vi.fn(async (_clientSecret: string, _data?: unknown) => ({
    setupIntent: { id: "seti_1", status: "succeeded", payment_method: "pm_card_visa" },
  })),
  handleNextAction: vi.fn(async (_options: { clientSecret: string }) => ({
    paymentIntent: { id: "pi_1", status: "succeeded" },
  })),
};

export const loadStripe = vi.fn(async (_publishableKey: string) => fakeStripe);

/** The `stripe` prop each `<Elements>` got (a promise of Stripe.js), newest last. */
export const elementsMounted: unknown[] = [];

export function Elements({ stripe, children }: { stripe: unknown; children: ReactNode }) {
  elementsMounted.push(stripe);
  return <div data-testid="stripe-elements">{children}</div>;
}

export function CardElement({ onChange }: { onChange?: (event: { complete: boolean; error?: unknown }) => void }) {
  return (
    <input
      data-testid="stripe-card-element"
      aria-label="Card number"
      onChange={(e) => onChange?.({ complete: e.target.value.length > 0 })}
    />
  );
}

export const useStripe = () => fakeStripe;
export const useElements = () => ({ getElement: () => fakeCardElement });

/** Back to the defaults (call in beforeEach). */
export function resetStripe(): void {
  fakeStripe.confirmCardSetup.mockReset();
  fakeStripe.confirmCardSetup.mockImplementation(async () => ({
    setupIntent: { id: "seti_1", status: "succeeded", payment_method: "pm_card_visa" },
  }));
  fakeStripe.handleNextAction.mockReset();
  fakeStripe.handleNextAction.mockImplementation(async () => ({ paymentIntent: { id: "pi_1", status: "succeeded" } }));
  loadStripe.mockClear();
  elementsMounted.length = 0;
}
