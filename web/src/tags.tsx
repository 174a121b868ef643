// Tags, shared by notes, bookmarks and to-dos (each has `tags: string[]`, at most 20). Typing is a
// plain text field separated by commas: it works the same with every keyboard, screen reader and
// paste, where a chip editor would need its own keyboard handling. The field is uncontrolled, so
// it reads like any other input of a <form>: `parseTags(text(data, 'tags'))` on submit.
// The private/public choice lives here too: notes and bookmarks share it the same way.
import { useId } from 'react';
import './tags.css';

export const MAX_TAGS = 20;

/** "Home, errands,home" → ["home", "errands"]: trimmed, lower-cased (as the API stores them), unique. */
export function parseTags(text: string): string[] {
  const tags = text
    .split(/[,\n]/)
    .map((tag) => tag.trim().toLowerCase())
    .filter((tag) => tag !== '');
  return [...new Set(tags)];
}

/** An uncontrolled "Tags" input for a form; `defaultValue` is the record's current tags. */
export function TagsField({ name = 'tags', defaultValue = [] }: { name?: string; defaultValue?: string[] }) {
  const id = useId();
  const hint = `${id}-hint`;
  return (
    <div className="field">
      <label htmlFor={id}>Tags</label>
      <input
        id={id}
        name={name}
        type="text"
        defaultValue={defaultValue.join(', ')}
        autoComplete="off"
        autoCapitalize="none"
        aria-describedby={hint}
      />
      <small id={hint} className="tags-hint">
        Separate with commas, up to {MAX_TAGS}
      </small>
    </div>
  );
}

/**
 * A record's tags. With `onSelect` each tag is a button (to filter by it); without, plain text.
 * Nothing is shown for no tags.
 */
export function TagList({ tags, onSelect }: { tags: string[]; onSelect?: (tag: string) => void }) {
  if (tags.length === 0) return null;
  return (
    <ul className="tag-list" aria-label="Tags">
      {tags.map((tag) => (
        <li key={tag}>
          {onSelect ? (
            <button type="button" className="tag" onClick={() => onSelect(tag)} aria-label={`Show only ${tag}`}>
              #{tag}
            </button>
          ) : (
            <span className="tag">#{tag}</span>
          )}
        </li>
      ))}
    </ul>
  );
}

export type Visibility = 'private' | 'public';

/** Who may see a record (notes and bookmarks share it): radio buttons named `visibility`. */
export function VisibilityField({ defaultValue = 'private' }: { defaultValue?: Visibility }) {
  return (
    <fieldset className="visibility">
      <legend>Who can see it</legend>
      <label>
        <input type="radio" name="visibility" value="private" defaultChecked={defaultValue === 'private'} />
        Private: only you
      </label>
      <label>
        <input type="radio" name="visibility" value="public" defaultChecked={defaultValue === 'public'} />
        Public: on your site
      </label>
    </fieldset>
  );
}

export const visibilityOf = (data: FormData): Visibility =>
  data.get('visibility') === 'public' ? 'public' : 'private';
