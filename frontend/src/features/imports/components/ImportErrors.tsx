import { Table, Text } from "@mantine/core";
import { DetailCard } from "@/components";
import type { ImportDetail } from "../api";
import { ErrorCsvButton } from "./ErrorCsvButton";

/**
 * The rows that failed: the first 100 (the API's), the rest in the error file. `testId`
 * prefixes the test ids: "import-job" → import-job-errors (the table), import-job-error-row, ...
 */
export function ImportErrors({ job, testId = "import-job" }: { job: ImportDetail; testId?: string }) {
  const more = Math.max(0, job.failed - job.errors.length);
  return (
    <DetailCard
      title={`Rows that failed (${job.failed.toLocaleString("en-US")})`}
      extra={<ErrorCsvButton importId={job.import_id} testId={testId} />}
      testId={`${testId}-errors-card`}
    >
      <Text size="sm" c="dimmed" mb="sm">
        Row is the line in the file (the header is line 1). The error file has these rows as uploaded, with line, field
        and error columns: fix them there and upload it again.
      </Text>
      <Table.ScrollContainer minWidth={500}>
        <Table striped verticalSpacing="xs" data-testid={`${testId}-errors`}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th w={80}>Row</Table.Th>
              <Table.Th w={200}>Field</Table.Th>
              <Table.Th>Problem</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {job.errors.map((e, i) => (
              <Table.Tr
                key={`${e.row}-${e.field}-${i}`}
                data-testid={`${testId}-error-row`}
                data-row={e.row}
                data-field={e.field}
              >
                <Table.Td>{e.row}</Table.Td>
                <Table.Td ff="monospace">{e.field}</Table.Td>
                <Table.Td>{e.message}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {more > 0 && (
        <Text size="sm" mt="sm" data-testid={`${testId}-errors-more`}>
          {more.toLocaleString("en-US")} more in the error file.
        </Text>
      )}
    </DetailCard>
  );
}
