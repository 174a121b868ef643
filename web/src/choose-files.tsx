// The two ways to choose files to upload, for every screen that uploads (files, photos): a
// picker button, and a list area that takes files dropped on it. Dropped folders are refused with
// the screen's own words: their files are not read.
import { type DragEvent, type ReactNode, useState } from 'react';
import './uploads.css';

export function FilePicker({
  label,
  accept,
  onFiles,
}: {
  label: string;
  accept?: string;
  onFiles: (files: File[]) => void;
}) {
  return (
    <label className="button-link upload-button">
      {label}
      <input
        type="file"
        multiple
        {...(accept ? { accept } : {})}
        className="visually-hidden"
        onChange={(event) => {
          const files = [...(event.currentTarget.files ?? [])];
          // Cleared, so picking the same file again still counts as a change.
          event.currentTarget.value = '';
          if (files.length > 0) onFiles(files);
        }}
      />
    </label>
  );
}

export function DropZone({
  label,
  folderRefusal,
  onFiles,
  onRefused,
  children,
}: {
  label: string;
  /** What to say when a folder is dropped. */
  folderRefusal: string;
  onFiles: (files: File[]) => void;
  onRefused: (message: string) => void;
  children: ReactNode;
}) {
  const [over, setOver] = useState(false);
  const onDragOver = (event: DragEvent<HTMLElement>) => {
    if (!event.dataTransfer.types.includes('Files')) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = 'copy';
    setOver(true);
  };
  const onDrop = (event: DragEvent<HTMLElement>) => {
    event.preventDefault();
    setOver(false);
    const items = [...event.dataTransfer.items].filter((item) => item.kind === 'file');
    const isFolder = (item: DataTransferItem) => item.webkitGetAsEntry?.()?.isDirectory === true;
    const files = items
      .filter((item) => !isFolder(item))
      .map((item) => item.getAsFile())
      .filter((file): file is File => file !== null);
    if (items.some(isFolder)) onRefused(folderRefusal);
    if (files.length > 0) onFiles(files);
  };
  return (
    <section
      className={over ? 'drop-zone over' : 'drop-zone'}
      aria-label={label}
      onDragOver={onDragOver}
      onDragLeave={(event) => {
        if (!event.currentTarget.contains(event.relatedTarget as Node | null)) setOver(false);
      }}
      onDrop={onDrop}
    >
      {children}
    </section>
  );
}
