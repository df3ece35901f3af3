export { ProductDetailPage } from "./components/ProductDetailPage";
export { ProductsPage } from "./components/ProductsPage";
