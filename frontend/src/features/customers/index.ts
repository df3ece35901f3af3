export { useCustomer, useSites } from "./api";
export { CustomerDetailPage } from "./components/CustomerDetailPage";
export { CustomersPage } from "./components/CustomersPage";
