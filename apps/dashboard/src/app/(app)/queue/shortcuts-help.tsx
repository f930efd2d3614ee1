'use client';

import { Dialog, DialogContent } from '~/components/ui/dialog';
import { shortcuts } from './shortcuts';

/** The `?` overlay listing every shortcut. */
export function ShortcutsHelp({
  open,
  onOpenChange,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
}) {
  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent
        title="Keyboard shortcuts"
        description="Decisions use the reason selected for each action."
      >
        <ul className="grid grid-cols-2 gap-x-6 gap-y-2 text-sm" data-testid="shortcuts-help">
          {shortcuts.map((s) => (
            <li key={s.key} className="flex items-center justify-between">
              <span>{s.label}</span>
              <kbd>{s.key}</kbd>
            </li>
          ))}
          <li className="flex items-center justify-between">
            <span>Leave a text field</span>
            <kbd>Esc</kbd>
          </li>
        </ul>
      </DialogContent>
    </Dialog>
  );
}
