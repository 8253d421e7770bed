package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	_ "modernc.org/sqlite" // the posts and the catalogue live in SQLite
)

// Catalogue size: the guest cart works over this many seeded products.
const productCount = 1200

// Post is one blog post.
type Post struct {
	ID      int64     `json:"id"`
	Title   string    `json:"title"`
	Body    string    `json:"body"`
	Created time.Time `json:"created"`
}

// Product is one item of the seeded catalogue.
type Product struct {
	ID    int64
	Name  string
	Price int // cents
}

// PriceText formats the price in euros.
func (p Product) PriceText() string { return fmt.Sprintf("€%d.%02d", p.Price/100, p.Price%100) }

// db holds the posts and the catalogue.
type db struct{ sql *sql.DB }

// openDB opens (creating it) the SQLite file at path.
func openDB(path string) (*db, error) {
	dsn := path + "?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)"
	if path == ":memory:" {
		dsn = "file::memory:?cache=shared"
	}
	s, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("blog: open %s: %w", path, err)
	}
	if path == ":memory:" {
		s.SetMaxOpenConns(1)
	}
	return &db{sql: s}, nil
}

// migrate creates the tables and seeds the catalogue once.
func (d *db) migrate(ctx context.Context) error {
	_, err := d.sql.ExecContext(ctx, `
CREATE TABLE IF NOT EXISTS blog_post (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	title TEXT NOT NULL,
	body TEXT NOT NULL,
	created INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS blog_product (
	id INTEGER PRIMARY KEY,
	name TEXT NOT NULL,
	price INTEGER NOT NULL
);`)
	if err != nil {
		return fmt.Errorf("blog: migrate: %w", err)
	}
	var n int
	if err := d.sql.QueryRowContext(ctx, `SELECT COUNT(*) FROM blog_product`).Scan(&n); err != nil {
		return fmt.Errorf("blog: migrate: %w", err)
	}
	if n >= productCount {
		return nil
	}
	tx, err := d.sql.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("blog: seed: %w", err)
	}
	defer tx.Rollback()
	for i := 1; i <= productCount; i++ {
		name := productName(i)
		price := 199 + (i*7919)%9800
		if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO blog_product (id, name, price) VALUES (?, ?, ?)`, i, name, price); err != nil {
			return fmt.Errorf("blog: seed: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("blog: seed: %w", err)
	}
	return nil
}

var (
	adjectives = []string{"Sturdy", "Tiny", "Blue", "Walnut", "Brass", "Linen", "Quiet", "Folding", "Copper", "Woollen", "Paper", "Stone"}
	nouns      = []string{"Notebook", "Teapot", "Lamp", "Stool", "Pen", "Mug", "Scarf", "Clock", "Basket", "Kettle"}
)

// productName makes a stable, readable name for product i.
func productName(i int) string {
	return fmt.Sprintf("%s %s No. %d", adjectives[i%len(adjectives)], nouns[(i/len(adjectives))%len(nouns)], i)
}

func (d *db) close() error { return d.sql.Close() }

// createPost inserts a post and returns it with its id.
func (d *db) createPost(ctx context.Context, title, body string) (Post, error) {
	p := Post{Title: title, Body: body, Created: time.Now().UTC().Truncate(time.Second)}
	res, err := d.sql.ExecContext(ctx, `INSERT INTO blog_post (title, body, created) VALUES (?, ?, ?)`, p.Title, p.Body, p.Created.Unix())
	if err != nil {
		return Post{}, fmt.Errorf("blog: create post: %w", err)
	}
	if p.ID, err = res.LastInsertId(); err != nil {
		return Post{}, fmt.Errorf("blog: create post: %w", err)
	}
	return p, nil
}

var errNoPost = errors.New("blog: no such post")

// post returns one post.
func (d *db) post(ctx context.Context, id int64) (Post, error) {
	var p Post
	var created int64
	err := d.sql.QueryRowContext(ctx, `SELECT id, title, body, created FROM blog_post WHERE id = ?`, id).Scan(&p.ID, &p.Title, &p.Body, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return Post{}, errNoPost
	}
	if err != nil {
		return Post{}, fmt.Errorf("blog: post %d: %w", id, err)
	}
	p.Created = time.Unix(created, 0).UTC()
	return p, nil
}

// latestPosts returns the newest posts first.
func (d *db) latestPosts(ctx context.Context, limit int) ([]Post, error) {
	return d.queryPosts(ctx, `SELECT id, title, body, created FROM blog_post ORDER BY id DESC LIMIT ?`, limit)
}

// queryPosts runs a query of (id, title, body, created) rows.
func (d *db) queryPosts(ctx context.Context, query string, args ...any) ([]Post, error) {
	rows, err := d.sql.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("blog: posts: %w", err)
	}
	defer rows.Close()
	var out []Post
	for rows.Next() {
		var p Post
		var created int64
		if err := rows.Scan(&p.ID, &p.Title, &p.Body, &created); err != nil {
			return nil, fmt.Errorf("blog: posts: %w", err)
		}
		p.Created = time.Unix(created, 0).UTC()
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("blog: posts: %w", err)
	}
	return out, nil
}

// postsByID returns the posts with the given ids, in the order of ids;
// missing posts are left out.
func (d *db) postsByID(ctx context.Context, ids []int64) ([]Post, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	q := `SELECT id, title, body, created FROM blog_post WHERE id IN (?` + strings.Repeat(",?", len(ids)-1) + `)`
	found, err := d.queryPosts(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	byID := make(map[int64]Post, len(found))
	for _, p := range found {
		byID[p.ID] = p
	}
	out := make([]Post, 0, len(ids))
	for _, id := range ids {
		if p, ok := byID[id]; ok {
			out = append(out, p)
		}
	}
	return out, nil
}

// product returns one product.
func (d *db) product(ctx context.Context, id int64) (Product, bool, error) {
	var p Product
	err := d.sql.QueryRowContext(ctx, `SELECT id, name, price FROM blog_product WHERE id = ?`, id).Scan(&p.ID, &p.Name, &p.Price)
	if errors.Is(err, sql.ErrNoRows) {
		return Product{}, false, nil
	}
	if err != nil {
		return Product{}, false, fmt.Errorf("blog: product %d: %w", id, err)
	}
	return p, true, nil
}

// products returns a page of the catalogue.
func (d *db) products(ctx context.Context, offset, limit int) ([]Product, error) {
	rows, err := d.sql.QueryContext(ctx, `SELECT id, name, price FROM blog_product ORDER BY id LIMIT ? OFFSET ?`, limit, offset)
	if err != nil {
		return nil, fmt.Errorf("blog: products: %w", err)
	}
	defer rows.Close()
	var out []Product
	for rows.Next() {
		var p Product
		if err := rows.Scan(&p.ID, &p.Name, &p.Price); err != nil {
			return nil, fmt.Errorf("blog: products: %w", err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}
