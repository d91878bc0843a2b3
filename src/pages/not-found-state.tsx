import { Link } from 'react-router-dom';

export function NotFoundState({
  title,
  message,
  backTo,
  backLabel,
}: {
  title: string;
  message: string;
  backTo: string;
  backLabel: string;
}) {
  return (
    <section className="state-panel" aria-labelledby="not-found-title">
      <h1 id="not-found-title">{title}</h1>
      <p>{message}</p>
      <Link className="btn btn-primary" to={backTo}>
        {backLabel}
      </Link>
    </section>
  );
}
