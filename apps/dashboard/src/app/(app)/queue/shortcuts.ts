import { REMOVE_REASONS } from './reasons';

/** The queue's keyboard shortcuts, in the order the help overlay lists them. */
export const shortcuts = [
  { key: 'j', label: 'Next item' },
  { key: 'k', label: 'Previous item' },
  { key: 'a', label: 'Approve' },
  { key: 'r', label: 'Remove' },
  { key: 'e', label: 'Escalate' },
  { key: `1–${REMOVE_REASONS.length}`, label: 'Choose the remove reason' },
  { key: 'x', label: 'Select for bulk action' },
  { key: 'n', label: 'Write a note' },
  { key: '?', label: 'Show or hide this help' },
] as const;

/** True when a key press belongs to a text field rather than to the queue. */
export function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName);
}
