import { CloseButton, TextInput } from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { IconSearch } from "@tabler/icons-react";
import { useEffect, useState } from "react";

interface SearchBoxProps {
  /** The current search (from the URL). */
  value: string;
  onSearch: (q: string) => void;
  placeholder?: string;
  testId?: string;
  w?: number;
}

/** Search as you type, without a request per keystroke (300 ms debounce). */
export function SearchBox({ value, onSearch, placeholder = "Search…", testId, w = 280 }: SearchBoxProps) {
  const [text, setText] = useState(value);
  const [debounced] = useDebouncedValue(text, 300);
  useEffect(() => {
    if (debounced.trim() !== value) onSearch(debounced.trim());
    // eslint-disable-next-line react-hooks/exhaustive-deps -- only a new debounced text searches
  }, [debounced]);
  return (
    <TextInput
      placeholder={placeholder}
      leftSection={<IconSearch size={16} />}
      rightSection={text ? <CloseButton aria-label="Clear search" size="sm" onClick={() => setText("")} /> : null}
      value={text}
      onChange={(e) => setText(e.currentTarget.value)}
      w={w}
      data-testid={testId}
    />
  );
}
