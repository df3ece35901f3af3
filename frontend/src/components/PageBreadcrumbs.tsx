import { Anchor, Breadcrumbs, Text } from "@mantine/core";
import { Link } from "react-router";

export interface Crumb {
  label: string;
  /** A link for the levels above; the current page has none. */
  to?: string;
}

/** "Inventory / Items / 8944…" above a page. */
export function PageBreadcrumbs({ items }: { items: Crumb[] }) {
  return (
    <Breadcrumbs mb="xs">
      {items.map((crumb) =>
        crumb.to ? (
          <Anchor key={crumb.to} component={Link} to={crumb.to} size="sm">
            {crumb.label}
          </Anchor>
        ) : (
          <Text key={crumb.label} size="sm">
            {crumb.label}
          </Text>
        ),
      )}
    </Breadcrumbs>
  );
}
