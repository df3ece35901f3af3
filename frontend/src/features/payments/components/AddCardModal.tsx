import { Alert, Box, Button, Checkbox, Group, Modal, Stack, Text } from "@mantine/core";
import { CardElement, Elements, useElements, useStripe } from "@stripe/react-stripe-js";
import { IconAlertTriangle, IconLock } from "@tabler/icons-react";
import { useEffect, useState, type FormEvent } from "react";
import { errorMessage, notifySuccess } from "@/lib/notify";
import { useCardSetup, useSaveCard } from "../api";
import { cardLabel } from "../constants";
import { loadStripeJs } from "../stripe";

interface FormProps {
  customerId: number;
  /** Whether the new card starts as the default (the customer has none yet). */
  defaultFirst: boolean;
  onDone: () => void;
  onCancel: () => void;
}

/**
 * The card field is Stripe's (an iframe from js.stripe.com): the number never reaches this
 * page's code nor our API. Stripe.js confirms a SetupIntent with it, then the API saves the
 * resulting `pm_…` for the customer.
 */
function AddCardForm({ customerId, defaultFirst, onDone, onCancel }: FormProps) {
  const stripe = useStripe();
  const elements = useElements();
  const setup = useCardSetup();
  const save = useSaveCard();
  const [makeDefault, setMakeDefault] = useState(defaultFirst);
  const [complete, setComplete] = useState(false);
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const card = elements?.getElement(CardElement);
    if (!stripe || !card) return; // Stripe.js is still loading
    setFailure(null);
    setBusy(true);
    try {
      const intent = await setup.mutateAsync(customerId);
      const confirmed = await stripe.confirmCardSetup(intent.client_secret, { payment_method: { card } });
      if (confirmed.error) {
        // Stripe's words: "Your card was declined.", "Your card number is incomplete."
        setFailure(confirmed.error.message ?? "Stripe refused the card.");
        return;
      }
      const method = confirmed.setupIntent.payment_method;
      const token = typeof method === "string" ? method : method?.id;
      if (!token) {
        setFailure("Stripe did not return the card.");
        return;
      }
      const saved = await save.mutateAsync({ customer_id: customerId, token, make_default: makeDefault });
      notifySuccess(`${cardLabel(saved)} saved${saved.is_default ? " as the default card" : ""}.`);
      onDone();
    } catch (error) {
      // The API's 409 gateway_refused / card_in_use / gateway_not_configured, 503, a network failure.
      setFailure(errorMessage(error));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={(e) => void submit(e)} noValidate data-testid="add-card-form">
      <Stack>
        {failure && (
          <Alert color="red" icon={<IconAlertTriangle size={18} />} data-testid="add-card-error">
            {failure}
          </Alert>
        )}
        <Stack gap={4}>
          <Text size="sm" fw={500}>
            Card
          </Text>
          {!stripe && (
            <Text size="xs" c="dimmed" data-testid="add-card-loading">
              Loading Stripe…
            </Text>
          )}
          <Box
            p="sm"
            style={{
              border: "1px solid var(--mantine-color-default-border)",
              borderRadius: "var(--mantine-radius-sm)",
            }}
          >
            <CardElement
              options={{ style: { base: { fontSize: "15px" } } }}
              onChange={(e) => setComplete(e.complete)}
            />
          </Box>
          <Group gap={4}>
            <IconLock size={12} color="var(--mantine-color-dimmed)" />
            <Text size="xs" c="dimmed">
              Entered into Stripe's field: the card number is never sent to OmniCRM.
            </Text>
          </Group>
        </Stack>
        <Checkbox
          label="Make this the default card (automatic charges use it)"
          checked={makeDefault}
          onChange={(e) => setMakeDefault(e.currentTarget.checked)}
          data-testid="add-card-default"
        />
        <Group justify="flex-end">
          <Button variant="default" onClick={onCancel} disabled={busy}>
            Cancel
          </Button>
          <Button type="submit" loading={busy} disabled={!stripe || !complete} data-testid="add-card-submit">
            Save card
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

interface AddCardModalProps {
  opened: boolean;
  onClose: () => void;
  customerId: number;
  /** From the gateway's configuration: Stripe.js is loaded with it when the dialog opens. */
  publishableKey: string;
  defaultFirst: boolean;
}

/** One opening of the dialog: Stripe.js (loaded once per key), then the form inside Elements. */
function AddCard({ publishableKey, onClose, ...props }: Omit<AddCardModalProps, "opened">) {
  // The same promise for the whole opening, as <Elements> wants.
  const [stripe] = useState(() => loadStripeJs(publishableKey));
  const [loadError, setLoadError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    stripe.then(
      (loaded) => live && !loaded && setLoadError("Stripe.js is not available."),
      (error: unknown) => live && setLoadError(error instanceof Error ? error.message : String(error)),
    );
    return () => {
      live = false;
    };
  }, [stripe]);

  if (loadError) {
    return (
      <Stack>
        <Alert color="red" icon={<IconAlertTriangle size={18} />} data-testid="add-card-stripe-error">
          Stripe.js could not be loaded, so no card can be entered: {loadError} Check the network (js.stripe.com) and
          try again.
        </Alert>
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Close
          </Button>
        </Group>
      </Stack>
    );
  }
  return (
    <Elements stripe={stripe}>
      <AddCardForm {...props} onDone={onClose} onCancel={onClose} />
    </Elements>
  );
}

/** Add a card for the customer with Stripe Elements. */
export function AddCardModal({ opened, onClose, ...props }: AddCardModalProps) {
  return (
    <Modal opened={opened} onClose={onClose} title="Add card">
      {/* Mounted only while open: Stripe.js is loaded (once) when the dialog is first opened. */}
      {opened && <AddCard onClose={onClose} {...props} />}
    </Modal>
  );
}
