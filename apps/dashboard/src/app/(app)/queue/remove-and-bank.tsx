'use client';

import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { Button } from '~/components/ui/button';
import { ConfirmDialog } from '~/components/confirm-button';
import { Select } from '~/components/ui/input';
import {
  BANK_LABELS,
  BANK_LABEL_TITLES,
  isReviewable,
  type BankLabel,
} from '@ganmod/moderation/contract';
import { useTRPC } from '~/trpc/client';

/**
 * "Remove and bank": removes the open item (with the Remove reason and note chosen in the panel)
 * and adds its image's hashes to the bank under a label, after a confirmation, in one
 * transaction on the server. Copies submitted later are matched and handled by the label's policy.
 */
export function RemoveAndBank(props: {
  item: {
    id: string;
    externalId: string;
    version: number;
    status: string;
    imagePath: string | null;
  } | null;
  reasonCode: string;
  note: string;
  busy: boolean;
  onDone: (text: string) => void;
  onError: (text: string) => void;
}) {
  const trpc = useTRPC();
  const bank = useMutation(trpc.bank.removeAndBank.mutationOptions());
  const [label, setLabel] = useState<BankLabel>('CUSTOM');
  const [confirming, setConfirming] = useState(false);
  const { item } = props;
  if (!item?.imagePath) return null;
  const open = isReviewable(item.status);

  function submit() {
    if (!item) return;
    bank.mutate(
      {
        itemId: item.id,
        version: item.version,
        reasonCode: props.reasonCode,
        note: props.note || undefined,
        label,
      },
      {
        onSuccess: (r) => {
          setConfirming(false);
          props.onDone(
            `Removed ${item.externalId} (${props.reasonCode}) and banked it as ${label.toLowerCase()}: ${r.bank.added} hash(es) added${r.bank.alreadyBanked ? `, ${r.bank.alreadyBanked} already banked` : ''}.`,
          );
        },
        onError: (err) => {
          setConfirming(false);
          props.onError(err.message);
        },
      },
    );
  }

  return (
    <div
      className="flex flex-wrap items-center gap-2 border-t border-border pt-3"
      data-testid="remove-and-bank"
    >
      <Select
        aria-label="Bank label"
        className="h-8 w-auto text-xs"
        value={label}
        onChange={(e) => setLabel(e.target.value as BankLabel)}
      >
        {BANK_LABELS.map((l) => (
          <option key={l} value={l}>
            {BANK_LABEL_TITLES[l]}
          </option>
        ))}
      </Select>
      <Button
        size="sm"
        variant="destructive"
        disabled={!open || props.busy || bank.isPending}
        onClick={() => setConfirming(true)}
        data-testid="act-REMOVE-BANK"
      >
        Remove and bank
      </Button>
      <span className="text-xs text-muted-foreground">
        bans copies (resized, mirrored, cropped) of this image
      </span>
      <ConfirmDialog
        open={confirming}
        onOpenChange={setConfirming}
        title={`Remove ${item.externalId} and bank its image?`}
        description={`Its hashes join the bank as "${BANK_LABEL_TITLES[label]}": later copies are matched and handled by that label's policy. Entries can be disabled or deleted on the Bank page.`}
        confirmLabel={bank.isPending ? 'Banking…' : 'Remove and bank'}
        onConfirm={submit}
        pending={bank.isPending}
        closeOnConfirm={false}
        confirmTestId="confirm-remove-and-bank"
      />
    </div>
  );
}
