import { TextInput } from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { useEffect, useState } from "react";

/** A numeric id filter (customer, product) that applies 300 ms after typing stops (see `idOrUndefined`). */
export function IdFilter({
  value,
  onChange,
  placeholder,
  testId,
}: {
  value: string;
  onChange: (v: string) => void;
  placeholder: string;
  testId?: string;
}) {
  const [text, setText] = useState(value);
  const [debounced] = useDebouncedValue(text, 300);
  useEffect(() => {
    if (/^\d*$/.test(debounced) && debounced !== value) onChange(debounced);
    // eslint-disable-next-line react-hooks/exhaustive-deps -- only a new debounced text filters
  }, [debounced]);
  return (
    <TextInput
      placeholder={placeholder}
      inputMode="numeric"
      value={text}
      error={/^\d*$/.test(text) ? undefined : true}
      onChange={(e) => setText(e.currentTarget.value.trim())}
      w={130}
      data-testid={testId}
    />
  );
}
