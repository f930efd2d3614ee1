'use client';

import { useState, type ComponentProps, type ReactNode } from 'react';
import { Button } from './ui/button';
import { Dialog, DialogClose, DialogContent } from './ui/dialog';

/**
 * A button that acts only after a confirmation dialog: for actions with no undo (disabling an
 * account, changing a role, cancelling a run). `onConfirm` runs when the dialog's confirm button
 * is pressed; closing the dialog any other way does nothing.
 */
export function ConfirmDialog({
  open,
  onOpenChange,
  title,
  description,
  confirmLabel,
  onConfirm,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  title: string;
  description: ReactNode;
  confirmLabel: string;
  onConfirm: () => void;
}) {
  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent title={title} description={description} data-testid="confirm-dialog">
        <div className="flex justify-end gap-2">
          <DialogClose asChild>
            <Button variant="outline">Keep as is</Button>
          </DialogClose>
          <Button
            variant="destructive"
            onClick={() => {
              onOpenChange(false);
              onConfirm();
            }}
          >
            {confirmLabel}
          </Button>
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
