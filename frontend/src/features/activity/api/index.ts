export { activityKeys, useActivity, useCustomerActivity } from "./activity";
