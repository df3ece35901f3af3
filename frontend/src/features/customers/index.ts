export { CustomerDetailPage } from "./components/CustomerDetailPage";
export { CustomersPage } from "./components/CustomersPage";
