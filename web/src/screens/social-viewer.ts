// Who is reading: the caller's own profile (`me`), read once when the Social section opens and
// handed to its screens through context. The feed's live subscription needs the caller's id
// (only one's own feed may be followed), and the feed links to the caller's profile. Kept in the
// section's state rather than in a module, so signing out and in as someone else starts afresh.
import { createContext, useContext } from 'react';
import { PERSON_FIELDS, type Person } from './social-model.ts';

export const ME = `query Me { me { ${PERSON_FIELDS} } }`;

export const ViewerContext = createContext<Person | undefined>(undefined);

/** The caller; only under the section, which renders its screens once `me` is known. */
export function useViewer(): Person {
  const viewer = useContext(ViewerContext);
  if (!viewer) throw new Error('useViewer outside the Social section');
  return viewer;
}
