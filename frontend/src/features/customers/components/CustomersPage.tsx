import { Button, Card, CloseButton, Group, MultiSelect, Select, TextInput } from "@mantine/core";
import { useDebouncedValue, useDisclosure } from "@mantine/hooks";
import { IconDownload, IconPlus, IconSearch } from "@tabler/icons-react";
import { useEffect, useState } from "react";
import { usePermission, type CustomerListQuery } from "@/api";
import { ListFooter, PageHeader, QueryState } from "@/components";
import { notifyError } from "@/lib/notify";
import { useUrlParams } from "@/lib/useUrlParams";
import { exportCustomers, useCustomers, type CustomerFilters, type ExportFormat } from "../api";
import { ACCOUNT_TYPES, CUSTOMER_STATUSES, PAYMENT_TYPES, PAYMENT_TYPE_LABELS } from "../constants";
import { CustomerFormModal } from "./CustomerFormModal";
import { CustomersTable } from "./CustomersTable";

const PARAMS = [
  "page",
  "page_size",
  "q",
  "customer_status",
  "customer_payment_type",
  "customer_account_type",
  "tag",
  "sort",
] as const;

const DEFAULT_PAGE_SIZE = 25;

/** Search as you type, without a request per keystroke. */
function SearchBox({ value, onSearch }: { value: string; onSearch: (q: string) => void }) {
  const [text, setText] = useState(value);
  const [debounced] = useDebouncedValue(text, 300);
  useEffect(() => {
    if (debounced.trim() !== value) onSearch(debounced.trim());
    // eslint-disable-next-line react-hooks/exhaustive-deps -- only a new debounced text searches
  }, [debounced]);
  return (
    <TextInput
      placeholder="Search name, email, phone…"
      leftSection={<IconSearch size={16} />}
      rightSection={text ? <CloseButton aria-label="Clear search" size="sm" onClick={() => setText("")} /> : null}
      value={text}
      onChange={(e) => setText(e.currentTarget.value)}
      w={300}
      data-testid="customer-search"
    />
  );
}

function ExportButtons({ filters }: { filters: CustomerFilters }) {
  const [busy, setBusy] = useState<ExportFormat | null>(null);
  const run = async (format: ExportFormat) => {
    setBusy(format);
    try {
      await exportCustomers(format, filters);
    } catch (error) {
      notifyError(error, "Export failed");
    } finally {
      setBusy(null);
    }
  };
  return (
    <Button.Group>
      {(["csv", "xlsx"] as const).map((format) => (
        <Button
          key={format}
          variant="default"
          leftSection={<IconDownload size={16} />}
          loading={busy === format}
          onClick={() => void run(format)}
          data-testid={`customer-export-${format}`}
        >
          {format.toUpperCase()}
        </Button>
      ))}
    </Button.Group>
  );
}

export function CustomersPage() {
  const [params, setParams] = useUrlParams(PARAMS);
  const [creating, { open: openCreate, close: closeCreate }] = useDisclosure(false);
  const canWrite = usePermission("customer.write");
  const canExport = usePermission("customer.export");

  const page = Number(params.page) || 1;
  const pageSize = Number(params.page_size) || DEFAULT_PAGE_SIZE;
  const filters: CustomerFilters = {
    q: params.q || undefined,
    customer_status: params.customer_status
      ? (params.customer_status.split(",") as NonNullable<CustomerListQuery["customer_status"]>)
      : undefined,
    customer_payment_type: (params.customer_payment_type || undefined) as CustomerListQuery["customer_payment_type"],
    customer_account_type: (params.customer_account_type || undefined) as CustomerListQuery["customer_account_type"],
    tag: params.tag ? [params.tag] : undefined,
    sort: params.sort || undefined,
  };
  const customers = useCustomers({ ...filters, page, page_size: pageSize });

  return (
    <>
      <PageHeader
        title="Customers"
        description="Everyone you sell to: individuals and businesses."
        actions={
          <>
            {canExport && <ExportButtons filters={filters} />}
            {canWrite && (
              <Button leftSection={<IconPlus size={16} />} onClick={openCreate} data-testid="customer-new">
                New customer
              </Button>
            )}
          </>
        }
      />
      <Card withBorder radius="md" padding="md">
        <Group mb="md" gap="sm" wrap="wrap">
          <SearchBox value={params.q} onSearch={(q) => setParams({ q })} />
          <MultiSelect
            placeholder={params.customer_status ? undefined : "Status (archived hidden)"}
            data={[...CUSTOMER_STATUSES]}
            value={params.customer_status ? params.customer_status.split(",") : []}
            onChange={(v) => setParams({ customer_status: v.join(",") })}
            clearable
            miw={210}
            maw={360}
            data-testid="customer-filter-status"
          />
          <Select
            placeholder="Payment type"
            data={PAYMENT_TYPES.map((value) => ({ value, label: PAYMENT_TYPE_LABELS[value] }))}
            value={params.customer_payment_type || null}
            onChange={(v) => setParams({ customer_payment_type: v })}
            clearable
            w={150}
            data-testid="customer-filter-payment-type"
          />
          <Select
            placeholder="Account type"
            data={[...ACCOUNT_TYPES]}
            value={params.customer_account_type || null}
            onChange={(v) => setParams({ customer_account_type: v })}
            clearable
            w={150}
            data-testid="customer-filter-account-type"
          />
          {params.tag && (
            <Button
              variant="light"
              size="xs"
              rightSection={<CloseButton component="span" size="xs" />}
              onClick={() => setParams({ tag: null })}
            >
              Tag: {params.tag}
            </Button>
          )}
        </Group>
        <QueryState query={customers}>
          {({ items }) => (
            <CustomersTable
              customers={items}
              sort={params.sort}
              onSort={(sort) => setParams({ sort })}
              onTag={(tag) => setParams({ tag })}
              loading={customers.isPlaceholderData}
            />
          )}
        </QueryState>
        <ListFooter
          pagination={customers.data?.pagination}
          pageSize={pageSize}
          noun="customers"
          onPage={(p) => setParams({ page: p === 1 ? null : p })}
          onPageSize={(size) => setParams({ page_size: size === DEFAULT_PAGE_SIZE ? null : size })}
        />
      </Card>
      <CustomerFormModal opened={creating} onClose={closeCreate} />
    </>
  );
}
