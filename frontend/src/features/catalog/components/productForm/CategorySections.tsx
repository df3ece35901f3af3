/** The inputs only one category has: bundle contents, add-on compatibility, promotion terms. */
import {
  ActionIcon,
  Group,
  Input,
  MultiSelect,
  NativeSelect,
  SegmentedControl,
  SimpleGrid,
  Stack,
  Text,
  TextInput,
} from "@mantine/core";
import { IconX } from "@tabler/icons-react";
import { ADDON_BASE_CATEGORIES, BUNDLE_CHILD_CATEGORIES, PROMO_TARGET_CATEGORIES } from "../../constants";
import { errorUnder, usePickerOptions } from "./fields";
import type { ProductFormState } from "./schema";

interface SectionProps {
  form: ProductFormState;
  /** The product being edited, left out of the pickers. */
  selfId?: number;
}

/** Ordered children; the same product may appear twice (two lines), so a list, not a set. */
function BundleSection({ form, selfId }: SectionProps) {
  const { options, labelOf } = usePickerOptions([...BUNDLE_CHILD_CATEGORIES], selfId);
  const children = form.values.bundle_children;
  return (
    <Input.Wrapper label="Bundle contents" required error={errorUnder(form, "bundle_children")}>
      <Stack gap={4} mt={4} data-testid="product-bundle-children">
        {children.length === 0 && (
          <Text size="sm" c="dimmed">
            No products yet
          </Text>
        )}
        {children.map((id, index) => (
          <Group key={`${id}-${index}`} gap="xs" justify="space-between" wrap="nowrap">
            <Text size="sm">
              {index + 1}. {labelOf(id)}
            </Text>
            <ActionIcon
              variant="subtle"
              color="gray"
              aria-label={`Remove ${labelOf(id)}`}
              onClick={() => form.removeListItem("bundle_children", index)}
            >
              <IconX size={14} />
            </ActionIcon>
          </Group>
        ))}
        <NativeSelect
          aria-label="Add a product to the bundle"
          data={[{ value: "", label: "Add a standalone or add-on product…" }, ...options]}
          value=""
          onChange={(e) => e.currentTarget.value && form.insertListItem("bundle_children", e.currentTarget.value)}
          data-testid="product-bundle-add"
        />
      </Stack>
    </Input.Wrapper>
  );
}

function AddonSection({ form }: SectionProps) {
  const { options } = usePickerOptions([...ADDON_BASE_CATEGORIES]);
  return (
    <MultiSelect
      label="Compatible with"
      description="The standalone products and bundles this add-on can be attached to"
      required
      searchable
      data={options}
      data-testid="product-addon-compatible"
      {...form.getInputProps("addon_compatible_with")}
      error={errorUnder(form, "addon_compatible_with")}
    />
  );
}

function PromoSection({ form, selfId }: SectionProps) {
  const { options } = usePickerOptions([...PROMO_TARGET_CATEGORIES], selfId);
  const kind = form.values.promo_discount_kind;
  return (
    <Stack gap="sm">
      <NativeSelect
        label="Discounted product"
        required
        data={[{ value: "", label: "Pick a product…" }, ...options]}
        data-testid="product-promo-target"
        {...form.getInputProps("promo_target_product_id")}
      />
      <SimpleGrid cols={{ base: 1, sm: 3 }}>
        <Stack gap={4}>
          <Text size="sm" fw={500}>
            Discount
          </Text>
          <SegmentedControl
            data={[
              { value: "percent", label: "Percent" },
              { value: "amount", label: "Amount" },
            ]}
            data-testid="product-promo-kind"
            {...form.getInputProps("promo_discount_kind")}
          />
        </Stack>
        {kind === "percent" ? (
          <TextInput
            label="Percent off"
            required
            inputMode="decimal"
            rightSection="%"
            data-testid="product-promo-percent"
            {...form.getInputProps("promo_discount_percent")}
          />
        ) : (
          <TextInput
            label="Amount off"
            required
            inputMode="decimal"
            data-testid="product-promo-amount"
            {...form.getInputProps("promo_discount_amount")}
          />
        )}
        <TextInput
          label="For months"
          required
          inputMode="numeric"
          data-testid="product-promo-months"
          {...form.getInputProps("promo_months")}
        />
      </SimpleGrid>
    </Stack>
  );
}

/** The section of the form's current category (standalone has none). */
export function CategorySection({ form, selfId }: SectionProps) {
  switch (form.values.category) {
    case "bundle":
      return <BundleSection form={form} selfId={selfId} />;
    case "addon":
      return <AddonSection form={form} />;
    case "promo":
      return <PromoSection form={form} selfId={selfId} />;
    default:
      return null;
  }
}
