export { SchedulerPage } from "./components/SchedulerPage";
