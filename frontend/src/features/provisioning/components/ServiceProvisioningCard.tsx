import { Anchor, Table, Text } from "@mantine/core";
import { Link } from "react-router";
import { usePermission } from "@/api";
import { DetailCard, QueryState } from "@/components";
import { formatDateTime } from "@/lib/format";
import { useProvisions } from "../api";
import { jobUrl, progressOf } from "./ProvisionJobsTable";
import { ProvisionStatusBadge } from "./ProvisionStatusBadge";

/** How often the card re-reads while one of its jobs is queued or running (ms). */
const ACTIVE_REFRESH = 3000;

/** A service's provisioning jobs, for the service and contract pages (needs provision.read). */
export function ServiceProvisioningCard({ serviceId, testId }: { serviceId: number; testId: string }) {
  const canRead = usePermission("provision.read");
  const jobs = useProvisions(
    { service_id: serviceId, page_size: 10 },
    { enabled: canRead, refetchWhileActive: ACTIVE_REFRESH },
  );
  if (!canRead) return null;
  return (
    <DetailCard
      title="Provisioning"
      extra={
        <Anchor component={Link} to={`/provisioning/jobs?service_id=${serviceId}`} size="sm">
          All jobs
        </Anchor>
      }
      testId={testId}
    >
      <QueryState query={jobs}>
        {({ items }) =>
          items.length === 0 ? (
            <Text c="dimmed" size="sm">
              No provisioning jobs
            </Text>
          ) : (
            <Table>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Job</Table.Th>
                  <Table.Th>Play</Table.Th>
                  <Table.Th>Status</Table.Th>
                  <Table.Th>Created</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {items.map((j) => (
                  <Table.Tr key={j.provision_id} data-testid="provision-job-row">
                    <Table.Td>
                      <Anchor component={Link} to={jobUrl(j.provision_id)} ff="monospace">
                        #{j.provision_id}
                      </Anchor>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm" ff="monospace">
                        {j.provisioning_play}
                      </Text>
                      <Text size="xs" c="dimmed">
                        {j.action} · {progressOf(j)}%
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <ProvisionStatusBadge status={j.provisioning_status} label={j.status_label} />
                    </Table.Td>
                    <Table.Td>{formatDateTime(j.created_at)}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          )
        }
      </QueryState>
    </DetailCard>
  );
}
