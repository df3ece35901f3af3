import { Select } from "@mantine/core";
import { SearchBox } from "@/components";
import { CustomerSelect } from "@/features/customers";
import { idOrUndefined, type ListParams } from "@/lib/listParams";
import { useTemplates } from "../api";
import { CATEGORIES, categoryLabel, CHANNELS, channelLabel, templateLabel } from "../constants";

export const OUTBOX_FILTERS = ["status", "recipient", "template", "channel", "category", "customer_id"] as const;
type Filter = (typeof OUTBOX_FILTERS)[number];

/** Recipient, template, channel, category and customer, kept in the URL. */
export function OutboxFilters({ list }: { list: Pick<ListParams<Filter>, "params" | "setParams"> }) {
  const { params, setParams } = list;
  const templates = useTemplates();
  return (
    <>
      <SearchBox
        value={params.recipient}
        onSearch={(recipient) => setParams({ recipient })}
        placeholder="Recipient (whole address)"
        testId="outbox-filter-recipient"
      />
      <Select
        placeholder="Template"
        aria-label="Template"
        data={(templates.data ?? []).map((t) => ({ value: t.name, label: templateLabel(t.name) }))}
        value={params.template || null}
        onChange={(template) => setParams({ template })}
        searchable
        clearable
        w={220}
        data-testid="outbox-filter-template"
      />
      <Select
        placeholder="Channel"
        aria-label="Channel"
        data={CHANNELS.map((value) => ({ value, label: channelLabel(value) }))}
        value={params.channel || null}
        onChange={(channel) => setParams({ channel })}
        clearable
        w={130}
        data-testid="outbox-filter-channel"
      />
      <Select
        placeholder="Category"
        aria-label="Category"
        data={CATEGORIES.map((value) => ({ value, label: categoryLabel(value) }))}
        value={params.category || null}
        onChange={(category) => setParams({ category })}
        clearable
        w={150}
        data-testid="outbox-filter-category"
      />
      <CustomerSelect
        value={idOrUndefined(params.customer_id) ?? null}
        onChange={(customerId) => setParams({ customer_id: customerId })}
        placeholder="Customer"
        w={220}
        testId="outbox-filter-customer"
      />
    </>
  );
}
