import { Loader, Select } from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { IconSearch } from "@tabler/icons-react";
import { useState } from "react";
import { useCustomer, useCustomers } from "../api";

interface CustomerSelectProps {
  /** The chosen customer's id, or null. */
  value: number | null;
  onChange: (customerId: number | null) => void;
  label?: string;
  placeholder?: string;
  description?: string;
  error?: string;
  required?: boolean;
  clearable?: boolean;
  disabled?: boolean;
  w?: number | string;
  testId?: string;
}

const PAGE_SIZE = 20;

/**
 * Pick a customer by name, e-mail or phone: the API searches as you type (300 ms after the last
 * key), 20 at a time. The chosen one is shown by name even when the search no longer lists it.
 */
export function CustomerSelect({
  value,
  onChange,
  label,
  placeholder = "Search customers…",
  description,
  error,
  required,
  clearable = true,
  disabled,
  w,
  testId,
}: CustomerSelectProps) {
  const [search, setSearch] = useState("");
  // Nothing is searched until the list is first opened.
  const [looked, setLooked] = useState(false);
  const [debounced] = useDebouncedValue(search.trim(), 300);
  const chosen = useCustomer(value ?? 0, value !== null);
  const chosenName = chosen.data?.customer_name;
  // Typing the chosen name back (Select does so on pick) is not a new search.
  const q = debounced && debounced !== chosenName ? debounced : undefined;
  const found = useCustomers({ q, page_size: PAGE_SIZE }, looked && !disabled);

  const options = (found.data?.items ?? []).map((c) => ({ value: String(c.customer_id), label: c.customer_name }));
  if (value !== null && !options.some((o) => o.value === String(value))) {
    options.unshift({ value: String(value), label: chosenName ?? `Customer #${value}` });
  }

  return (
    <Select
      label={label}
      placeholder={placeholder}
      description={description}
      error={error}
      required={required}
      clearable={clearable && !disabled}
      disabled={disabled}
      searchable
      // The API has filtered already: show what it found.
      filter={({ options: all }) => all}
      data={options}
      value={value === null ? null : String(value)}
      onChange={(v) => onChange(v ? Number(v) : null)}
      searchValue={search}
      onSearchChange={setSearch}
      onDropdownOpen={() => setLooked(true)}
      nothingFoundMessage={found.isFetching ? "Searching…" : "No customer matches"}
      leftSection={found.isFetching ? <Loader size={14} /> : <IconSearch size={16} />}
      w={w}
      data-testid={testId}
    />
  );
}
