import { Button, CloseButton, MultiSelect, Select } from "@mantine/core";
import { useDisclosure } from "@mantine/hooks";
import { IconDownload, IconPlus } from "@tabler/icons-react";
import { useState } from "react";
import { usePermission, type CustomerListQuery } from "@/api";
import { ListPage, SearchBox } from "@/components";
import { listOf, useListParams } from "@/lib/listParams";
import { notifyError } from "@/lib/notify";
import { exportCustomers, useCustomers, type CustomerFilters, type ExportFormat } from "../api";
import { ACCOUNT_TYPES, CUSTOMER_STATUSES, PAYMENT_TYPES, PAYMENT_TYPE_LABELS } from "../constants";
import { CustomerFormModal } from "./CustomerFormModal";
import { CustomersTable } from "./CustomersTable";

const FILTERS = ["q", "customer_status", "customer_payment_type", "customer_account_type", "tag"] as const;

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
  const list = useListParams(FILTERS);
  const { params, setParams } = list;
  const [creating, { open: openCreate, close: closeCreate }] = useDisclosure(false);
  const canWrite = usePermission("customer.write");
  const canExport = usePermission("customer.export");

  const filters: CustomerFilters = {
    q: params.q || undefined,
    customer_status: listOf<NonNullable<CustomerListQuery["customer_status"]>[number]>(params.customer_status),
    customer_payment_type: (params.customer_payment_type || undefined) as CustomerListQuery["customer_payment_type"],
    customer_account_type: (params.customer_account_type || undefined) as CustomerListQuery["customer_account_type"],
    tag: params.tag ? [params.tag] : undefined,
    sort: list.paging.sort,
  };
  const customers = useCustomers({ ...filters, ...list.paging });

  return (
    <>
      <ListPage
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
        query={customers}
        list={list}
        noun="customers"
        filters={
          <>
            <SearchBox
              value={params.q}
              onSearch={(q) => setParams({ q })}
              placeholder="Search name, email, phone…"
              testId="customer-search"
              w={300}
            />
            <MultiSelect
              placeholder={params.customer_status ? undefined : "Status (archived hidden)"}
              data={[...CUSTOMER_STATUSES]}
              value={listOf(params.customer_status) ?? []}
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
          </>
        }
      >
        {(rows, loading) => (
          <CustomersTable
            customers={rows}
            sort={list.sort}
            onSort={list.setSort}
            onTag={(tag) => setParams({ tag })}
            loading={loading}
          />
        )}
      </ListPage>
      <CustomerFormModal opened={creating} onClose={closeCreate} />
    </>
  );
}
