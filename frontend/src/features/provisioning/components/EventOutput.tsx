import { Code, Stack, Text } from "@mantine/core";
import type { ProvisionEvent } from "../api";

const asText = (v: unknown): string | null => {
  if (v === null || v === undefined || v === "") return null;
  if (typeof v === "string") return v;
  if (Array.isArray(v) && v.every((x) => typeof x === "string")) return v.join("\n") || null;
  return JSON.stringify(v, null, 2);
};

/** One task's Ansible result: msg, stdout and stderr first, then the whole result. */
export function EventOutput({ event }: { event: ProvisionEvent }) {
  const result = event.provisioning_result_json ?? {};
  const msg = asText(result.msg);
  const stdout = asText(result.stdout) ?? asText(result.stdout_lines);
  const stderr = asText(result.stderr) ?? asText(result.stderr_lines);
  return (
    <Stack gap="xs" data-testid="provision-event-output">
      {msg && (
        <div>
          <Text size="xs" c="dimmed" fw={600} tt="uppercase">
            Message
          </Text>
          <Text size="sm" fw={500} style={{ whiteSpace: "pre-wrap" }} data-testid="provision-event-msg">
            {msg}
          </Text>
        </div>
      )}
      {stdout && (
        <div>
          <Text size="xs" c="dimmed" fw={600} tt="uppercase">
            stdout
          </Text>
          <Code block data-testid="provision-event-stdout">
            {stdout}
          </Code>
        </div>
      )}
      {stderr && (
        <div>
          <Text size="xs" c="red" fw={600} tt="uppercase">
            stderr
          </Text>
          <Code block c="red">
            {stderr}
          </Code>
        </div>
      )}
      <div>
        <Text size="xs" c="dimmed" fw={600} tt="uppercase">
          Result{event.host ? ` · ${event.host}` : ""}
        </Text>
        <Code block mah={360} style={{ overflow: "auto" }} tabIndex={0}>
          {JSON.stringify(result, null, 2)}
        </Code>
      </div>
    </Stack>
  );
}
