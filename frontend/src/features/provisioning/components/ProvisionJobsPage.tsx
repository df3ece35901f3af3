import { Anchor, Breadcrumbs, Card, Group, Select, Text, TextInput } from "@mantine/core";
import { Link } from "react-router";
import { ListFooter, PageHeader, QueryState } from "@/components";
import { IdFilter, idOrUndefined } from "@/features/services/components/IdFilter";
import { useUrlParams } from "@/lib/useUrlParams";
import { useProvisions, type ProvisionAction, type ProvisionListQuery } from "../api";
import { ACTIONS } from "../constants";
import { ProvisionJobsTable } from "./ProvisionJobsTable";
import { statusCodes, StatusFilter } from "./StatusFilter";

const PARAMS = [
  "page",
  "page_size",
  "status",
  "customer_id",
  "service_id",
  "product_id",
  "action",
  "play",
  "sort",
] as const;
const DEFAULT_PAGE_SIZE = 25;

export function ProvisionJobsPage() {
  const [params, setParams] = useUrlParams(PARAMS);
  const page = Number(params.page) || 1;
  const pageSize = Number(params.page_size) || DEFAULT_PAGE_SIZE;
  const query: ProvisionListQuery = {
    provisioning_status: statusCodes(params.status),
    customer_id: idOrUndefined(params.customer_id),
    service_id: idOrUndefined(params.service_id),
    product_id: idOrUndefined(params.product_id),
    action: (ACTIONS as readonly string[]).includes(params.action) ? (params.action as ProvisionAction) : undefined,
    play: params.play || undefined,
    sort: params.sort || undefined,
    page,
    page_size: pageSize,
  };
  const jobs = useProvisions(query);

  return (
    <>
      <Breadcrumbs mb="xs">
        <Anchor component={Link} to="/provisioning" size="sm">
          Provisioning
        </Anchor>
        <Text size="sm">Jobs</Text>
      </Breadcrumbs>
      <PageHeader title="Provisioning jobs" description="Every play run, newest first." />
      <Card withBorder radius="md" padding="md">
        <Group mb="md" gap="sm" wrap="wrap">
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
          <IdFilter
            value={params.customer_id}
            onChange={(customer_id) => setParams({ customer_id })}
            placeholder="Customer id"
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
        </Group>
        <QueryState query={jobs}>
          {({ items }) => (
            <ProvisionJobsTable
              jobs={items}
              sort={params.sort}
              onSort={(sort) => setParams({ sort })}
              loading={jobs.isPlaceholderData}
            />
          )}
        </QueryState>
        <ListFooter
          pagination={jobs.data?.pagination}
          pageSize={pageSize}
          noun="jobs"
          onPage={(p) => setParams({ page: p === 1 ? null : p })}
          onPageSize={(size) => setParams({ page_size: size === DEFAULT_PAGE_SIZE ? null : size })}
        />
      </Card>
    </>
  );
}
