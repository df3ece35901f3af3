export const schedulerKeys = {
  all: ["scheduler"] as const,
  jobs: () => [...schedulerKeys.all, "jobs"] as const,
  runs: (jobName: string) => [...schedulerKeys.all, "runs", jobName] as const,
};
