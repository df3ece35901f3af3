import { Button, Group, Text } from "@mantine/core";
import { IconCreditCard, IconPlus, IconStar, IconTrash } from "@tabler/icons-react";
import { useState } from "react";
import { usePermission } from "@/api";
import { confirmAction, DetailCard, ListTable, QueryState, type Column } from "@/components";
import { formatDateTime } from "@/lib/format";
import { notifyError, notifySuccess } from "@/lib/notify";
import { cardPaymentsKey, useGateway, useMakeDefaultCard, useRemoveCard, useSavedCards, type SavedCard } from "../api";
import { cardExpiry, cardLabel } from "../constants";
import { AddCardModal } from "./AddCardModal";
import { CardBadges } from "./Badges";

interface Actions {
  onMakeDefault: (card: SavedCard) => void;
  onRemove: (card: SavedCard) => void;
  /** The card an action is under way for. */
  busyId: number | null;
}

function columns(actions: Actions | null): Column<SavedCard>[] {
  const base: Column<SavedCard>[] = [
    {
      header: "Card",
      cell: (c) => (
        <Group gap={8} wrap="nowrap">
          <IconCreditCard size={18} stroke={1.6} />
          <Text size="sm" fw={500} data-testid="card-label">
            {cardLabel(c)}
          </Text>
        </Group>
      ),
    },
    {
      header: "Expires",
      cell: (c) => (
        <Text size="sm" c={c.expired ? "red" : undefined} data-testid="card-expiry">
          {cardExpiry(c)}
        </Text>
      ),
    },
    { header: "", cell: (c) => <CardBadges card={c} /> },
    { header: "Added", cell: (c) => formatDateTime(c.created_at) },
  ];
  if (!actions) return base;
  return [
    ...base,
    {
      header: "Actions",
      cell: (c) => (
        <Group gap={4} wrap="nowrap" justify="flex-end">
          {!c.is_default && (
            <Button
              size="compact-xs"
              variant="subtle"
              leftSection={<IconStar size={14} />}
              loading={actions.busyId === c.payment_method_id}
              onClick={() => actions.onMakeDefault(c)}
              data-testid="card-make-default"
            >
              Make default
            </Button>
          )}
          <Button
            size="compact-xs"
            variant="subtle"
            color="red"
            leftSection={<IconTrash size={14} />}
            onClick={() => actions.onRemove(c)}
            data-testid="card-remove"
          >
            Remove
          </Button>
        </Group>
      ),
      td: { ta: "right" },
    },
  ];
}

/**
 * The customer's saved cards: brand, last 4, expiry, which is the default and which expire;
 * with payment.write, adding one (Stripe Elements, when card payments are on), making one the
 * default and removing one.
 */
export function SavedCardsCard({ customerId }: { customerId: number }) {
  const canWrite = usePermission("payment.write");
  const gateway = useGateway();
  const cards = useSavedCards(customerId);
  const makeDefault = useMakeDefaultCard();
  const remove = useRemoveCard();
  const [adding, setAdding] = useState(false);
  const publishableKey = cardPaymentsKey(gateway.data);
  const notConfigured = gateway.isSuccess && publishableKey === null;

  const actions: Actions | null = canWrite
    ? {
        busyId: makeDefault.isPending ? (makeDefault.variables ?? null) : null,
        onMakeDefault: (card) =>
          makeDefault.mutate(card.payment_method_id, {
            onSuccess: (updated) => notifySuccess(`${cardLabel(updated)} is now the default card.`),
            onError: (error) => notifyError(error, "Could not make the card the default"),
          }),
        onRemove: (card) =>
          confirmAction({
            title: `Remove ${cardLabel(card)}?`,
            message:
              "The card is detached from the customer at Stripe and can no longer be charged. Payments made with it keep naming it.",
            confirmLabel: "Remove card",
            onConfirm: () =>
              remove.mutate(card.payment_method_id, {
                onSuccess: (removed) => notifySuccess(`${cardLabel(removed)} removed.`),
                onError: (error) => notifyError(error, "Could not remove the card"),
              }),
          }),
      }
    : null;

  return (
    <DetailCard
      title="Saved cards"
      testId="billing-cards"
      extra={
        canWrite &&
        publishableKey && (
          <Button
            size="xs"
            variant="light"
            leftSection={<IconPlus size={14} />}
            onClick={() => setAdding(true)}
            data-testid="card-add"
          >
            Add card
          </Button>
        )
      }
    >
      {notConfigured && (
        <Text size="sm" c="dimmed" mb="sm" data-testid="cards-not-configured">
          Card payments are not set up (no Stripe account is configured): cards cannot be added or charged.
        </Text>
      )}
      <QueryState query={cards}>
        {(rows) => (
          <ListTable
            rows={rows}
            columns={columns(actions)}
            rowKey={(c) => c.payment_method_id}
            rowData={(c) => ({ "data-testid": "card-row", "data-card-id": c.payment_method_id })}
            empty="No saved cards"
            testId="cards-table"
            minWidth={600}
          />
        )}
      </QueryState>
      {publishableKey && (
        <AddCardModal
          opened={adding}
          onClose={() => setAdding(false)}
          customerId={customerId}
          publishableKey={publishableKey}
          defaultFirst={!cards.data?.some((c) => c.is_default)}
        />
      )}
    </DetailCard>
  );
}
