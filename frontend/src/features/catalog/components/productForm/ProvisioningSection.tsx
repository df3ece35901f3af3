import { Divider, MultiSelect, SimpleGrid, Textarea, TextInput } from "@mantine/core";
import { useTemplateNames } from "../../api";
import type { ProductFormState } from "./schema";

/** The playbook, the inventory items a sale binds, and the play's variables. */
export function ProvisioningSection({ form }: { form: ProductFormState }) {
  const templates = useTemplateNames();
  // Keep names already on the product even if the template list cannot be read.
  const templateOptions = [...new Set([...(templates.data ?? []), ...form.values.inventory_items_list])];
  return (
    <>
      <Divider label="Provisioning" labelPosition="left" />
      <SimpleGrid cols={{ base: 1, sm: 2 }}>
        <TextInput
          label="Provisioning playbook"
          placeholder="e.g. mobile_sim"
          data-testid="product-provisioning-play"
          {...form.getInputProps("provisioning_play")}
        />
        <MultiSelect
          label="Inventory items needed"
          description={templates.isError ? "Inventory templates could not be loaded" : undefined}
          data={templateOptions}
          searchable
          clearable
          data-testid="product-inventory-items"
          {...form.getInputProps("inventory_items_list")}
        />
      </SimpleGrid>
      <Textarea
        label="Provisioning variables (JSON object)"
        placeholder='{"apn": "internet"}'
        autosize
        minRows={3}
        maxRows={12}
        styles={{ input: { fontFamily: "monospace" } }}
        data-testid="product-json-vars"
        {...form.getInputProps("provisioning_json_vars")}
      />
    </>
  );
}
