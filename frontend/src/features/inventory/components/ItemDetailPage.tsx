import { Anchor, Button, Card, Code, Group, SimpleGrid, Stack, Text } from "@mantine/core";
import { useState } from "react";
import { Link, useParams } from "react-router";
import { usePermission } from "@/api";
import { ActionButtons, DetailCard, DetailPage, Field, FieldGrid, PageHeader, TransitionTimeline } from "@/components";
import { formatDateTime, orDash } from "@/lib/format";
import {
  useInventoryItem,
  useTemplate,
  type InventoryDetail,
  type InventoryTemplate,
  type TransitionAction,
} from "../api";
import { actionLabel, actionsFor } from "../constants";
import { StateBadge } from "./StateBadge";
import { TransitionModal } from "./TransitionModal";

const ITEMTEXTS = Array.from({ length: 20 }, (_, i) => i + 1);

type ItemtextKey = `itemtext${number}`;

/** The itemtexts worth showing: those with a template label or a value, labelled from the template. */
export function labelledItemtexts(item: InventoryDetail, template: InventoryTemplate | undefined) {
  return ITEMTEXTS.flatMap((n) => {
    const value = (item as unknown as Record<ItemtextKey, string | null>)[`itemtext${n}`];
    const label = (template as unknown as Record<string, string | null> | undefined)?.[`itemtext${n}_label`];
    if (!label && (value === null || value === undefined || value === "")) return [];
    return [{ n, label: label || `Itemtext ${n}`, value }];
  });
}

/** A link to the bound customer or service, by name (its id while the name is unknown). */
const BoundLink = ({
  to,
  id,
  name,
  testId,
}: {
  to: string;
  id: number | null;
  name: string | null | undefined;
  testId: string;
}) =>
  id === null ? (
    <>—</>
  ) : (
    <Anchor component={Link} to={`${to}/${id}`} data-testid={testId}>
      {name ?? `#${id}`}
    </Anchor>
  );

type State = InventoryDetail["item_state"];

function History({ item }: { item: InventoryDetail }) {
  return (
    <TransitionTimeline
      testId="item-history"
      empty="No state changes yet"
      items={[...item.history]
        .sort((a, b) => b.inventory_history_id - a.inventory_history_id)
        .map((h) => ({
          key: h.inventory_history_id,
          from: h.from_state ? <StateBadge state={h.from_state as State} /> : null,
          to: <StateBadge state={h.to_state as State} />,
          at: h.created_at,
          notes: [
            h.user_id !== null && `user #${h.user_id}`,
            h.customer_id !== null && `customer #${h.customer_id}`,
            h.service_id !== null && `service #${h.service_id}`,
          ],
          reason: h.reason,
        }))}
    />
  );
}

function ItemDetails({ item }: { item: InventoryDetail }) {
  const canWrite = usePermission("inventory.write");
  const template = useTemplate(item.inventory_template_id);
  const [action, setAction] = useState<TransitionAction | null>(null);
  const [showConfig, setShowConfig] = useState(false);
  const isPhoneNumber = template.data ? template.data.serial_kind === "msisdn" : item.item === "Phone Number";

  return (
    <>
      <PageHeader
        title={
          <Group gap="sm">
            <span style={{ fontFamily: "monospace" }}>{item.serial}</span>
            <StateBadge state={item.item_state} />
          </Group>
        }
        description={`${item.item} · item #${item.inventory_id}`}
        actions={
          canWrite && (
            <ActionButtons
              actions={actionsFor(item.item_state)}
              label={(a) => actionLabel(a, item.item_state)}
              danger="retire"
              onAction={setAction}
              testIdPrefix="item-action"
            />
          )
        }
      />
      <SimpleGrid cols={{ base: 1, md: 3 }} spacing="md">
        <Stack style={{ gridColumn: "span 2" }}>
          <DetailCard>
            <FieldGrid breakAll>
              <Field label="Customer">
                <BoundLink
                  to="/customers"
                  id={item.customer_id}
                  name={item.customer_name}
                  testId="item-customer-link"
                />
              </Field>
              <Field label="Service">
                <BoundLink to="/services" id={item.service_id} name={item.service_name} testId="item-service-link" />
              </Field>
              <Field label="Quarantined until">{formatDateTime(item.quarantined_until)}</Field>
              {labelledItemtexts(item, template.data).map(({ n, label, value }) => (
                <Field key={n} label={label}>
                  <span data-testid={`itemtext-${n}`}>{orDash(value)}</span>
                </Field>
              ))}
              {item.management_url && (
                <Field label="Management URL">
                  <Anchor href={item.management_url} target="_blank" rel="noreferrer">
                    {item.management_url}
                  </Anchor>
                </Field>
              )}
              <Field label="Created">{formatDateTime(item.created_at)}</Field>
              <Field label="Updated">{formatDateTime(item.updated_at)}</Field>
            </FieldGrid>
          </DetailCard>
          {item.config_content && (
            <Card withBorder radius="md" padding="lg">
              <Group justify="space-between">
                <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
                  Configuration
                </Text>
                <Button size="xs" variant="subtle" onClick={() => setShowConfig((s) => !s)}>
                  {showConfig ? "Hide" : "Show (may contain secrets)"}
                </Button>
              </Group>
              {showConfig && (
                <Code block mt="sm">
                  {item.config_content}
                </Code>
              )}
            </Card>
          )}
        </Stack>
        <DetailCard title="History">
          <History item={item} />
        </DetailCard>
      </SimpleGrid>
      <TransitionModal item={item} action={action} isPhoneNumber={isPhoneNumber} onClose={() => setAction(null)} />
    </>
  );
}

export function ItemDetailPage() {
  const inventoryId = Number(useParams().inventoryId);
  const item = useInventoryItem(inventoryId);
  return (
    <DetailPage
      breadcrumbs={[
        { label: "Inventory", to: "/inventory" },
        { label: "Items", to: "/inventory/items" },
        { label: item.data?.serial ?? `#${inventoryId}` },
      ]}
      title={`Item ${item.data?.serial ?? `#${inventoryId}`}`}
      query={item}
    >
      {(i) => <ItemDetails item={i} />}
    </DetailPage>
  );
}
