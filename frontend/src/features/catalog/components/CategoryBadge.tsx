import { Badge } from "@mantine/core";
import type { ProductCategory } from "../api";
import { CATEGORY_COLORS, CATEGORY_LABELS } from "../constants";

export function CategoryBadge({ category }: { category: ProductCategory }) {
  return (
    <Badge color={CATEGORY_COLORS[category] ?? "gray"} variant="light">
      {CATEGORY_LABELS[category] ?? category}
    </Badge>
  );
}
