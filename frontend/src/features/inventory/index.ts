export { ImportPage } from "./components/ImportPage";
export { ItemDetailPage } from "./components/ItemDetailPage";
export { ItemsPage } from "./components/ItemsPage";
export { StockPage } from "./components/StockPage";
export { TemplatesPage as InventoryTemplatesPage } from "./components/TemplatesPage";
