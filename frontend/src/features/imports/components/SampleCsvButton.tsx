import { Anchor, Group } from "@mantine/core";
import { IconDownload } from "@tabler/icons-react";
import { useState } from "react";
import { notifyError } from "@/lib/notify";
import { downloadSampleCsv, type UploadTarget } from "../api";

interface SampleCsvButtonProps {
  /** What the sample is for; null (no stock template chosen yet) disables the link. */
  target: UploadTarget | null;
  label?: string;
  testId: string;
}

/**
 * Download a sample CSV from the API: the headers are the importer's own (never a copy kept
 * here) and its rows import cleanly, so staff start from a file that works.
 */
export function SampleCsvButton({ target, label = "Sample CSV", testId }: SampleCsvButtonProps) {
  const [busy, setBusy] = useState(false);
  const download = async () => {
    if (!target) return;
    setBusy(true);
    try {
      await downloadSampleCsv(target);
    } catch (error) {
      notifyError(error, "Could not download the sample CSV");
    } finally {
      setBusy(false);
    }
  };
  return (
    <Anchor
      component="button"
      type="button"
      size="sm"
      onClick={() => void download()}
      disabled={!target || busy}
      c={!target ? "dimmed" : undefined}
      aria-busy={busy}
      data-testid={testId}
    >
      <Group gap={4} wrap="nowrap">
        <IconDownload size={14} />
        {label}
      </Group>
    </Anchor>
  );
}
