import { Badge, Button, Card, Group, Text } from "@mantine/core";
import { IconPlus } from "@tabler/icons-react";
import { useState } from "react";
import { ListTable, PageBreadcrumbs, PageHeader, QueryState, type Column } from "@/components";
import { usePermission } from "@/api";
import { formatDateTime } from "@/lib/format";
import { useDocumentTitle } from "@/lib/useDocumentTitle";
import { useTemplates, type InventoryTemplate } from "../api";
import { labelledFields, SERIAL_KIND_LABELS } from "../templates";
import { InventoryActions } from "./InventoryNav";
import { TemplateFormModal } from "./TemplateFormModal";

const COLUMNS: Column<InventoryTemplate>[] = [
  {
    header: "Name",
    cell: (t) => (
      <Group gap={6} wrap="nowrap">
        <Text size="sm" fw={500} data-testid="templates-row-name">
          {t.item}
        </Text>
        {t.builtin && (
          <Badge size="xs" variant="light" color="gray">
            built-in
          </Badge>
        )}
      </Group>
    ),
  },
  { header: "Serial", cell: (t) => SERIAL_KIND_LABELS[t.serial_kind] },
  {
    header: "Fields",
    cell: (t) => {
      const labels = labelledFields(t).map((l) => l.label);
      return labels.length ? labels.join(", ") : <Text c="dimmed">—</Text>;
    },
  },
  { header: "Updated", cell: (t) => formatDateTime(t.updated_at) },
];

/**
 * The item types stock is kept as (SIM Card, Phone Number, Router, and the operator's own):
 * each says how a serial is checked and what its itemtext fields mean. The stock import and the
 * add-item form offer these; staff with inventory.write create and edit them here.
 */
export function TemplatesPage() {
  useDocumentTitle("Inventory templates");
  const templates = useTemplates();
  const canWrite = usePermission("inventory.write");
  const [editing, setEditing] = useState<InventoryTemplate | "new" | null>(null);

  return (
    <>
      <PageBreadcrumbs items={[{ label: "Inventory", to: "/inventory" }, { label: "Templates" }]} />
      <PageHeader
        title="Inventory templates"
        description="The kinds of item in stock: how each one's serial is checked and what its fields are called."
        actions={
          <>
            <InventoryActions templates={false} />
            {canWrite && (
              <Button
                leftSection={<IconPlus size={16} />}
                onClick={() => setEditing("new")}
                data-testid="templates-new"
              >
                New template
              </Button>
            )}
          </>
        }
      />
      <Card withBorder radius="md" padding="md">
        <QueryState query={templates}>
          {(rows) => (
            <ListTable
              rows={rows}
              columns={
                canWrite
                  ? [
                      ...COLUMNS,
                      {
                        header: "",
                        cell: (t) => (
                          <Button
                            size="xs"
                            variant="subtle"
                            onClick={() => setEditing(t)}
                            data-testid={`templates-edit-${t.inventory_template_id}`}
                          >
                            Edit
                          </Button>
                        ),
                        td: { ta: "right" },
                      },
                    ]
                  : COLUMNS
              }
              rowKey={(t) => t.inventory_template_id}
              rowData={(t) => ({ "data-testid": `templates-row-${t.inventory_template_id}` })}
              empty="No templates yet"
              testId="templates-table"
              minWidth={640}
            />
          )}
        </QueryState>
      </Card>
      <TemplateFormModal
        opened={editing !== null}
        template={editing === "new" ? null : editing}
        onClose={() => setEditing(null)}
      />
    </>
  );
}
