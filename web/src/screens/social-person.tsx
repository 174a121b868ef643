// A person as the Social screens show one: the round picture (or the initial of the name when
// there is none), and the name linking to the profile. The picture is decorative (alt ""): the
// name always stands beside it, so a screen reader would only hear the name twice.
import { Link } from '../router.ts';
import { type Person, profilePath } from './social-model.ts';

export function Avatar({ person, size = 'small' }: { person: Person; size?: 'small' | 'medium' | 'large' }) {
  if (person.avatarUrl) {
    return <img className={`avatar avatar-${size}`} src={person.avatarUrl} alt="" decoding="async" />;
  }
  return (
    <span className={`avatar avatar-${size} avatar-initial`} aria-hidden="true">
      {(person.displayName.trim()[0] ?? '?').toUpperCase()}
    </span>
  );
}

/** Picture, name and @username, all one link to the profile. */
export function PersonLink({ person }: { person: Person }) {
  return (
    <Link to={profilePath(person)} className="person">
      <Avatar person={person} />
      <span className="person-names">
        <span className="person-name">{person.displayName}</span>
        {person.username && <span className="person-username">@{person.username}</span>}
      </span>
    </Link>
  );
}

/** A list of people (followers, following), each a link to the profile. */
export function PeopleList({ people, label }: { people: Person[]; label: string }) {
  return (
    <ul className="people" aria-label={label}>
      {people.map((person) => (
        <li key={person.id}>
          <PersonLink person={person} />
        </li>
      ))}
    </ul>
  );
}
