import { SegmentedControl, SimpleGrid, Stack, Text, Textarea, TextInput } from "@mantine/core";
import { CATEGORIES, CATEGORY_LABELS } from "../../constants";
import { CategorySection } from "./CategorySections";
import type { ProductFormState } from "./schema";

/** Name, slug, category (fixed once created) with its own inputs, and the description. */
export function GeneralSection({ form, editingId }: { form: ProductFormState; editingId?: number }) {
  const editing = editingId !== undefined;
  return (
    <>
      <SimpleGrid cols={{ base: 1, sm: 2 }}>
        <TextInput
          label="Name"
          required
          data-autofocus
          data-testid="product-name"
          {...form.getInputProps("product_name")}
        />
        <TextInput
          label="Slug"
          placeholder={editing ? undefined : "made from the name"}
          data-testid="product-slug"
          {...form.getInputProps("product_slug")}
        />
      </SimpleGrid>
      <Stack gap={4}>
        <Text size="sm" fw={500}>
          Category
        </Text>
        <SegmentedControl
          data={CATEGORIES.map((value) => ({ value, label: CATEGORY_LABELS[value] }))}
          disabled={editing}
          data-testid="product-category"
          {...form.getInputProps("category")}
        />
        {editing && (
          <Text size="xs" c="dimmed">
            The category cannot change; create a new product instead.
          </Text>
        )}
      </Stack>
      <CategorySection form={form} selfId={editingId} />
      <Textarea
        label="Description"
        autosize
        minRows={2}
        maxRows={6}
        data-testid="product-description"
        {...form.getInputProps("description")}
      />
    </>
  );
}
