import { Select, TextInput } from "@mantine/core";
import { IdFilter, ListPage } from "@/components";
import { idOrUndefined, useListParams } from "@/lib/listParams";
import { CustomerSelect } from "@/features/customers";
import { useProvisions, type ProvisionAction } from "../api";
import { ACTIONS } from "../constants";
import { ProvisionJobsTable } from "./ProvisionJobsTable";
import { statusCodes, StatusFilter } from "./StatusFilter";

const FILTERS = ["status", "customer_id", "service_id", "product_id", "action", "play"] as const;

export function ProvisionJobsPage() {
  const list = useListParams(FILTERS);
  const { params, setParams } = list;
  const jobs = useProvisions({
    provisioning_status: statusCodes(params.status),
    customer_id: idOrUndefined(params.customer_id),
    service_id: idOrUndefined(params.service_id),
    product_id: idOrUndefined(params.product_id),
    action: (ACTIONS as readonly string[]).includes(params.action) ? (params.action as ProvisionAction) : undefined,
    play: params.play || undefined,
    ...list.paging,
  });

  return (
    <ListPage
      breadcrumbs={[{ label: "Provisioning", to: "/provisioning" }, { label: "Jobs" }]}
      title="Provisioning jobs"
      description="Every play run, newest first."
      query={jobs}
      list={list}
      noun="jobs"
      filters={
        <>
          <StatusFilter value={params.status} onChange={(status) => setParams({ status })} />
          <Select
            placeholder="Action"
            data={ACTIONS.map((a) => ({ value: a, label: a }))}
            value={params.action || null}
            onChange={(action) => setParams({ action })}
            clearable
            w={150}
            data-testid="provision-filter-action"
          />
          <TextInput
            placeholder="Play"
            defaultValue={params.play}
            onBlur={(e) => setParams({ play: e.currentTarget.value.trim() })}
            onKeyDown={(e) => e.key === "Enter" && setParams({ play: e.currentTarget.value.trim() })}
            w={170}
            data-testid="provision-filter-play"
          />
          <CustomerSelect
            value={idOrUndefined(params.customer_id) ?? null}
            onChange={(id) => setParams({ customer_id: id === null ? "" : String(id) })}
            placeholder="Customer…"
            w={220}
            testId="provision-filter-customer"
          />
          <IdFilter
            value={params.service_id}
            onChange={(service_id) => setParams({ service_id })}
            placeholder="Service id"
            testId="provision-filter-service"
          />
          <IdFilter
            value={params.product_id}
            onChange={(product_id) => setParams({ product_id })}
            placeholder="Product id"
            testId="provision-filter-product"
          />
        </>
      }
    >
      {(rows, loading) => <ProvisionJobsTable jobs={rows} sort={list.sort} onSort={list.setSort} loading={loading} />}
    </ListPage>
  );
}
