import { Loader, Select } from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { IconSearch } from "@tabler/icons-react";
import { useState } from "react";

/** What a picker over an API search (a customer, a product) takes from its caller. */
export interface PickerProps {
  /** The chosen record's id, or null. */
  value: number | null;
  onChange: (id: number | null) => void;
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

/**
 * The search state of a picker: what was typed, debounced 300 ms, and whether the list was
 * ever opened (nothing is searched before). `q` is undefined while the text is the chosen
 * record's own name, which Select types back on pick: that is not a new search.
 */
export function useRemoteSearch(chosenName: string | undefined) {
  const [search, setSearch] = useState("");
  const [opened, setOpened] = useState(false);
  const [debounced] = useDebouncedValue(search.trim(), 300);
  const q = debounced && debounced !== chosenName ? debounced : undefined;
  return { search, setSearch, opened, open: () => setOpened(true), q };
}

interface RemoteSelectProps extends PickerProps {
  remote: ReturnType<typeof useRemoteSearch>;
  /** What the API found for the search, already filtered by it. */
  items: { value: number; label: string }[];
  fetching: boolean;
  /** The chosen record's label when the search no longer lists it. */
  chosenLabel: string;
  /** "customer", "product": for "No customer matches". */
  noun: string;
}

/** A searchable Select whose options come from the API as the user types. */
export function RemoteSelect({
  value,
  onChange,
  clearable = true,
  disabled,
  testId,
  remote,
  items,
  fetching,
  chosenLabel,
  noun,
  ...props
}: RemoteSelectProps) {
  const options = items.map((item) => ({ value: String(item.value), label: item.label }));
  if (value !== null && !options.some((o) => o.value === String(value))) {
    options.unshift({ value: String(value), label: chosenLabel });
  }
  return (
    <Select
      {...props}
      clearable={clearable && !disabled}
      disabled={disabled}
      searchable
      // The API has filtered already: show what it found.
      filter={({ options: all }) => all}
      data={options}
      value={value === null ? null : String(value)}
      onChange={(v) => onChange(v ? Number(v) : null)}
      searchValue={remote.search}
      onSearchChange={remote.setSearch}
      onDropdownOpen={remote.open}
      nothingFoundMessage={fetching ? "Searching…" : `No ${noun} matches`}
      leftSection={fetching ? <Loader size={14} /> : <IconSearch size={16} />}
      data-testid={testId}
    />
  );
}
