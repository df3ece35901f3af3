import { Button } from "@mantine/core";

interface ActionButtonsProps<A extends string> {
  /** The actions legal now, in order. */
  actions: readonly A[];
  label: (action: A) => string;
  /** The destructive one (close, terminate, retire) is shown in red. */
  danger?: A;
  onAction: (action: A) => void;
  /** Each button gets `data-testid="<testIdPrefix>-<action>"`. */
  testIdPrefix: string;
}

/** The lifecycle buttons in a detail page's header (suspend, resume, terminate, …). */
export function ActionButtons<A extends string>({
  actions,
  label,
  danger,
  onAction,
  testIdPrefix,
}: ActionButtonsProps<A>) {
  return actions.map((action) => (
    <Button
      key={action}
      variant={action === danger ? "light" : "default"}
      color={action === danger ? "red" : undefined}
      onClick={() => onAction(action)}
      data-testid={`${testIdPrefix}-${action}`}
    >
      {label(action)}
    </Button>
  ));
}
