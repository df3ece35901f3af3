import { Anchor, Card, Table, Text } from "@mantine/core";
import { Link } from "react-router";
import { EmptyRow, PageHeader, QueryState } from "@/components";
import { useStock, type StockLevel } from "../api";
import { ITEM_STATES, STATE_LABELS } from "../constants";
import { InventoryActions } from "./InventoryNav";
import { StateBadge } from "./StateBadge";
import { useDocumentTitle } from "@/lib/useDocumentTitle";

/** Where a count leads: the item list filtered to that template (and state). */
export function itemsUrl(template: string, state?: string): string {
  const params = new URLSearchParams({ template });
  if (state) params.set("state", state);
  return `/inventory/items?${params.toString()}`;
}

function StockRow({ level }: { level: StockLevel }) {
  return (
    <Table.Tr data-testid={`stock-row-${level.inventory_template_id}`}>
      <Table.Td>
        <Anchor component={Link} to={itemsUrl(level.item)} fw={500}>
          {level.item}
        </Anchor>
      </Table.Td>
      {ITEM_STATES.map((state) => {
        const count = level.counts[state] ?? 0;
        return (
          <Table.Td key={state} ta="right">
            {count === 0 ? (
              <Text c="dimmed" size="sm">
                0
              </Text>
            ) : (
              <Anchor
                component={Link}
                to={itemsUrl(level.item, state)}
                aria-label={`${count} ${STATE_LABELS[state]} ${level.item}`}
                data-testid={`stock-count-${level.inventory_template_id}-${state}`}
              >
                {count}
              </Anchor>
            )}
          </Table.Td>
        );
      })}
      <Table.Td ta="right" fw={600}>
        <Anchor component={Link} to={itemsUrl(level.item)} c="inherit">
          {level.total}
        </Anchor>
      </Table.Td>
    </Table.Tr>
  );
}

export function StockPage() {
  useDocumentTitle("Inventory");
  const stock = useStock();
  return (
    <>
      <PageHeader
        title="Inventory"
        description="Stock per item type and state. Click a count to see those items."
        actions={<InventoryActions />}
      />
      <Card withBorder radius="md" padding="md">
        <QueryState query={stock}>
          {(levels) => (
            <Table.ScrollContainer minWidth={800}>
              <Table verticalSpacing="sm" highlightOnHover data-testid="inventory-stock">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Item type</Table.Th>
                    {ITEM_STATES.map((state) => (
                      <Table.Th key={state} ta="right">
                        <StateBadge state={state} />
                      </Table.Th>
                    ))}
                    <Table.Th ta="right">Total</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {levels.length === 0 && (
                    <EmptyRow colSpan={ITEM_STATES.length + 2}>No inventory templates yet</EmptyRow>
                  )}
                  {levels.map((level) => (
                    <StockRow key={level.inventory_template_id} level={level} />
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          )}
        </QueryState>
      </Card>
    </>
  );
}
