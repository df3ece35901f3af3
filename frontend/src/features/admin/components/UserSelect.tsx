import { Loader, Select, type SelectProps } from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { useState } from "react";
import { useUsers, type StaffUser } from "../api";

export interface UserSelectProps extends Omit<
  SelectProps,
  "data" | "value" | "onChange" | "searchValue" | "onSearchChange" | "searchable"
> {
  /** The chosen user's id, or null. */
  value: number | null;
  onChange: (userId: number | null, user: StaffUser | null) => void;
  /** Only active users (the default): a disabled account cannot be assigned work. */
  activeOnly?: boolean;
}

const labelOf = (u: StaffUser) => (u.full_name ? `${u.full_name} <${u.email}>` : u.email);

/**
 * Pick a user by name or e-mail: searches `GET /crm/user/?q=` as you type (needs user.read).
 * For other features: an assignee, an owner, a "changed by" filter.
 */
export function UserSelect({ value, onChange, activeOnly = true, ...props }: UserSelectProps) {
  const [search, setSearch] = useState("");
  const [q] = useDebouncedValue(search, 250);
  const [picked, setPicked] = useState<StaffUser | null>(null);
  const users = useUsers({ q: q.trim() || undefined, page_size: 20, ...(activeOnly ? { is_active: true } : {}) });

  const found = users.data?.items ?? [];
  const options = [
    ...(picked && picked.id === value && !found.some((u) => u.id === picked.id) ? [picked] : []),
    ...found,
  ];

  return (
    <Select
      searchable
      clearable
      placeholder="Search name or e-mail…"
      nothingFoundMessage={users.isFetching ? "Searching…" : "No user matches"}
      rightSection={users.isFetching ? <Loader size={14} /> : undefined}
      filter={({ options: opts }) => opts} // the server already filtered
      {...props}
      data={options.map((u) => ({ value: String(u.id), label: labelOf(u) }))}
      value={value === null ? null : String(value)}
      searchValue={search}
      onSearchChange={setSearch}
      onChange={(id) => {
        const user = options.find((u) => String(u.id) === id) ?? null;
        setPicked(user);
        onChange(user ? user.id : null, user);
      }}
    />
  );
}
