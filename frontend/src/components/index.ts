export { confirmAction } from "./confirm";
export { EmptyRow } from "./EmptyRow";
export { ListFooter, PAGE_SIZES } from "./ListFooter";
export { PageHeader } from "./PageHeader";
export { QueryState } from "./QueryState";
export { SortableTh } from "./SortableTh";
export { SearchBox } from "./SearchBox";
