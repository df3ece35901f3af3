import { Alert, Code, List, Text } from "@mantine/core";
import { IconAlertTriangle } from "@tabler/icons-react";
import { Fragment } from "react";
import type { FileRefusal } from "../api";
import { HEADER_PROBLEM_LABELS } from "../constants";

/** "a, b, c" with each header in monospace (the text still reads "a, b, c"). */
function Headers({ names, required = [] }: { names: string[]; required?: string[] }) {
  return (
    <>
      {names.map((name, i) => (
        <Fragment key={name}>
          {i > 0 && ", "}
          <Code fw={required.includes(name) ? 700 : undefined}>{name}</Code>
        </Fragment>
      ))}
    </>
  );
}

/**
 * A file refused before any row was read (422 `invalid_file`): each header problem with the
 * headers it is about, and the headers the import knows; any other reason (not UTF-8, no rows)
 * as the server says it.
 */
export function FileRefusalAlert({ refusal, testId }: { refusal: FileRefusal; testId: string }) {
  const { problems, expectedHeaders, requiredHeaders } = refusal;
  return (
    <Alert
      color="red"
      icon={<IconAlertTriangle size={18} />}
      title="The file was refused: nothing was imported"
      data-testid={`${testId}-file-error`}
    >
      <List size="sm" spacing={4}>
        {problems.length > 0 ? (
          problems.map((p) => (
            <List.Item key={p.problem} data-testid={`${testId}-file-problem`} data-problem={p.problem}>
              {HEADER_PROBLEM_LABELS[p.problem] ? (
                <>
                  <Text span size="sm" fw={600}>
                    {HEADER_PROBLEM_LABELS[p.problem]}:
                  </Text>{" "}
                  <Headers names={p.headers} />
                </>
              ) : (
                p.message
              )}
            </List.Item>
          ))
        ) : (
          <List.Item data-testid={`${testId}-file-problem`}>{refusal.message}</List.Item>
        )}
      </List>
      {problems.length > 0 && expectedHeaders.length > 0 && (
        <Text size="sm" mt="xs" data-testid={`${testId}-file-expected`}>
          The headers this import knows: <Headers names={expectedHeaders} required={requiredHeaders} />
          {requiredHeaders.length > 0 && (
            <>
              {" "}
              (required: <Headers names={requiredHeaders} />)
            </>
          )}
          .
        </Text>
      )}
      <Text size="sm" mt="xs">
        Fix the file (UTF-8, a header row naming its columns, at least one row) and upload it again.
      </Text>
    </Alert>
  );
}
