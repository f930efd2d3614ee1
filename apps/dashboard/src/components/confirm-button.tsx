'use client';

import { useState, type ComponentProps, type ReactNode } from 'react';
import { Button } from './ui/button';
import { Dialog, DialogClose, DialogContent } from './ui/dialog';

/**
 * A confirmation before an action with no undo (disabling an account, changing a role, cancelling
 * a run, banking or deleting hashes). `onConfirm` runs when the dialog's confirm button is
 * pressed; closing the dialog any other way does nothing. `children` (e.g. a note field) sit
 * above the buttons. With `closeOnConfirm` false the dialog stays open, its confirm button
 * disabled while `pending`, until the caller closes it (when the action has succeeded).
 */
export function ConfirmDialog({
  open,
  onOpenChange,
  title,
  description,
  confirmLabel,
  onConfirm,
  children,
  pending = false,
  variant = 'destructive',
  closeOnConfirm = true,
  confirmTestId,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  title: string;
  description: ReactNode;
  confirmLabel: string;
  onConfirm: () => void;
  children?: ReactNode;
  pending?: boolean;
  variant?: 'destructive' | 'default';
  closeOnConfirm?: boolean;
  confirmTestId?: string;
}) {
  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent title={title} description={description} data-testid="confirm-dialog">
        <div className="space-y-3">
          {children}
          <div className="flex justify-end gap-2">
            <DialogClose asChild>
              <Button variant="outline">Keep as is</Button>
            </DialogClose>
            <Button
              variant={variant}
              disabled={pending}
              data-testid={confirmTestId}
              onClick={() => {
                if (closeOnConfirm) onOpenChange(false);
                onConfirm();
              }}
            >
              {confirmLabel}
            </Button>
          </div>
        </div>
      </DialogContent>
    </Dialog>
  );
}

/** A {@link Button} that opens a {@link ConfirmDialog} before acting. */
export function ConfirmButton({
  title,
  description,
  confirmLabel,
  onConfirm,
  ...button
}: Omit<ComponentProps<typeof Button>, 'onClick'> & {
  title: string;
  description: ReactNode;
  confirmLabel: string;
  onConfirm: () => void;
}) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <Button {...button} onClick={() => setOpen(true)} />
      <ConfirmDialog
        open={open}
        onOpenChange={setOpen}
        title={title}
        description={description}
        confirmLabel={confirmLabel}
        onConfirm={onConfirm}
      />
    </>
  );
}
