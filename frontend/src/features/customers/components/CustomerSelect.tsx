import { RemoteSelect, useRemoteSearch, type PickerProps } from "@/components";
import { useCustomer, useCustomers } from "../api";

const PAGE_SIZE = 20;

/**
 * Pick a customer by name, e-mail or phone: the API searches as you type (300 ms after the last
 * key), 20 at a time. The chosen one is shown by name even when the search no longer lists it.
 */
export function CustomerSelect({ placeholder = "Search customers…", ...props }: PickerProps) {
  const { value, disabled } = props;
  const chosen = useCustomer(value ?? 0, value !== null);
  const chosenName = chosen.data?.customer_name;
  const remote = useRemoteSearch(chosenName);
  const found = useCustomers({ q: remote.q, page_size: PAGE_SIZE }, remote.opened && !disabled);

  return (
    <RemoteSelect
      {...props}
      placeholder={placeholder}
      remote={remote}
      items={(found.data?.items ?? []).map((c) => ({ value: c.customer_id, label: c.customer_name }))}
      fetching={found.isFetching}
      chosenLabel={chosenName ?? `Customer #${value}`}
      noun="customer"
    />
  );
}
