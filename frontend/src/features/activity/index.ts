export { ActivityPage } from "./components/ActivityPage";
export { ActivityTimeline } from "./components/ActivityTimeline";
