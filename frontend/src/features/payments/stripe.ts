/**
 * Stripe.js, loaded from js.stripe.com only when a card is added or a payment needs 3-D Secure,
 * and only when the gateway says card payments are on (its publishable key): an installation
 * without Stripe never contacts Stripe. The "pure" entry of @stripe/stripe-js injects nothing
 * when imported (the default entry would load the script at once), and the loader itself is a
 * separate chunk fetched on first use.
 */
import type { Stripe } from "@stripe/stripe-js";

const loaded = new Map<string, Promise<Stripe | null>>();

/** Stripe.js for a publishable key, loaded once per key (the same promise every time, as `<Elements>` wants). */
export function loadStripeJs(publishableKey: string): Promise<Stripe | null> {
  let stripe = loaded.get(publishableKey);
  if (!stripe) {
    stripe = import("@stripe/stripe-js/pure").then(({ loadStripe }) => loadStripe(publishableKey));
    // A load that failed (offline, blocked) is tried again next time.
    stripe.catch(() => loaded.delete(publishableKey));
    loaded.set(publishableKey, stripe);
  }
  return stripe;
}

/** Stripe.js, or an Error saying why it is not there. */
export async function requireStripeJs(publishableKey: string): Promise<Stripe> {
  let stripe: Stripe | null;
  try {
    stripe = await loadStripeJs(publishableKey);
  } catch (error) {
    throw new Error(`Stripe.js could not be loaded: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (!stripe) throw new Error("Stripe.js could not be loaded.");
  return stripe;
}

/** Forget the loaded Stripe.js (tests). */
export function forgetStripeJs(): void {
  loaded.clear();
}
