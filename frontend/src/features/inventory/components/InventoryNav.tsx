import { Button } from "@mantine/core";
import { IconFileImport, IconList, IconTemplate } from "@tabler/icons-react";
import { Link } from "react-router";
import { usePermission } from "@/api";

/** Header actions shared by the inventory pages. */
export function InventoryActions({ items = true, templates = true }: { items?: boolean; templates?: boolean }) {
  // A stock import is an import job: it needs both.
  const canWriteStock = usePermission("inventory.write");
  const canImportFiles = usePermission("import.write");
  const canImport = canWriteStock && canImportFiles;
  return (
    <>
      {items && (
        <Button component={Link} to="/inventory/items" variant="default" leftSection={<IconList size={16} />}>
          All items
        </Button>
      )}
      {templates && (
        <Button
          component={Link}
          to="/inventory/templates"
          variant="default"
          leftSection={<IconTemplate size={16} />}
          data-testid="inventory-templates-link"
        >
          Templates
        </Button>
      )}
      {canImport && (
        <Button
          component={Link}
          to="/inventory/import"
          leftSection={<IconFileImport size={16} />}
          data-testid="inventory-import-link"
        >
          Import CSV
        </Button>
      )}
    </>
  );
}
